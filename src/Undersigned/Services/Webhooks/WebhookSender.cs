using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Webhooks;

/// <summary>
/// Delivers queued webhook events on its own, apart from signing and email: at most <see cref="PerEndpoint"/> requests
/// at a time to each endpoint, so a slow receiver holds up only itself. Wakes when a delivery is queued or one finishes,
/// and when the next retry falls due.
/// </summary>
public sealed class WebhookSender(WebhooksStore webhooks, WebhookPayloads payloads, WebhookGuard guard, ServiceKeys serviceKeys, AuditStore audit, Db db,
    Loops loops, ServiceMetrics metrics, TimeProvider clock, ILogger<WebhookSender> log) : BackgroundService
{
    public const int PerEndpoint = 2;
    /// <summary>Longer than a request may take, so a claim outlives its attempt; a sender that dies frees its claims this long after.</summary>
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    readonly Dictionary<long, int> inFlight = [];
    readonly List<Task> running = [];
    readonly HttpClient http = guard.CreateClient();
    readonly SetAside<long> unattemptable = new(loops, Loops.Webhooks, "Webhook delivery", log);

    void Wake() => wake.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        webhooks.Queued += Wake;
        try
        {
            await loops.RunDueAsync(Loops.Webhooks, DispatchAsync, async woken =>
            {
                await wake.Reader.WaitToReadAsync(woken);
                wake.Reader.TryRead(out _);
            }, stoppingToken);
        }
        finally
        {
            webhooks.Queued -= Wake;
            Task[] stillRunning;
            lock (inFlight) stillRunning = [.. running];
            await Task.WhenAll(stillRunning);
        }
    }

    /// <summary>Starts what is due at endpoints with a free slot; returns when to look again (null: only when woken).</summary>
    async Task<DateTimeOffset?> DispatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await webhooks.QueuePassedDeadlinesAsync(now, ct);
        foreach (var endpointId in await webhooks.DueEndpointsAsync(now, ct))
        {
            int free;
            lock (inFlight) free = PerEndpoint - inFlight.GetValueOrDefault(endpointId);
            if (free <= 0) continue;
            foreach (var delivery in await webhooks.ClaimAsync(endpointId, free, now, now + Lease, ct))
                lock (inFlight)
                {
                    inFlight[endpointId] = inFlight.GetValueOrDefault(endpointId) + 1;
                    var task = Task.Run(() => DeliverAsync(delivery, ct), CancellationToken.None);
                    running.Add(task);
                }
        }
        long[] busy;
        lock (inFlight) busy = inFlight.Where(e => e.Value >= PerEndpoint).Select(e => e.Key).ToArray();
        return Earliest(await webhooks.NextDueAsync(busy, ct), await webhooks.NextDeadlineAsync(now, ct));
    }

    static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        try
        {
            await AttemptAsync(delivery, ct);
            unattemptable.Succeeded(delivery.Id);
        }
        catch (Exception e) when (Transient.Is(e))
        {
            // The claim runs out and the delivery is tried again.
            log.LogWarning("Webhook delivery {DeliveryId} could not be attempted ({Error})", delivery.Id, e.GetType().Name);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A bug with this delivery: it alone is tried again when its claim runs out, and after five tries it is set aside.
            if (unattemptable.Failed(delivery.Id, e))
                await webhooks.EndAsync(delivery.Id, DeliveryStatus.Failed, "The delivery could not be prepared; it was set aside.", clock.GetUtcNow(),
                    CancellationToken.None);
        }
        catch (OperationCanceledException) { }
        finally
        {
            lock (inFlight)
            {
                if (--inFlight[delivery.EndpointId] == 0) inFlight.Remove(delivery.EndpointId);
                running.RemoveAll(t => t.IsCompleted);
            }
            Wake();
        }
    }

    async Task AttemptAsync(ClaimedDelivery delivery, CancellationToken ct)
    {
        var endpoint = await webhooks.TargetAsync(delivery.EndpointId, ct);
        var ev = await webhooks.EventAsync(delivery.EventId, ct);
        if (endpoint is null || ev is null) return; // deleted meanwhile
        if (await payloads.BuildAsync(ev, endpoint.PartnerId, ct) is not (var body, var carriesContact))
        {
            metrics.WebhookDelivery(delivery.EndpointId, DeliveryStatus.Cancelled);
            await webhooks.EndAsync(delivery.Id, DeliveryStatus.Cancelled, "Not sent: this partner's endpoint hears only of published letters it is attached to.",
                clock.GetUtcNow(), ct);
            return;
        }
        // Recorded before it leaves: whatever becomes of the attempt, the trail shows where the contact details went.
        if (carriesContact)
            await audit.RecordAsync(null, clock.GetUtcNow(), null, "webhook.contact", ev.LetterId, ev.SignatureId,
                details: new { webhookId = endpoint.Id, deliveryId = delivery.Id, eventId = ev.Id, attempt = delivery.Attempts }, ct: ct);

        var started = clock.GetTimestamp();
        int? statusCode = null;
        string? error = null;
        try
        {
            if (guard.ShapeRefusal(endpoint.Url) is { } refusal) throw new WebhookRefusedException($"The URL {refusal}");
            using var request = Sign(new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) }, endpoint, body);
            using var timeout = new CancellationTokenSource(WebhookGuard.RequestTimeout, clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                statusCode = (int)response.StatusCode;
                await DrainAsync(response, linked.Token);
                if (!response.IsSuccessStatusCode) error = $"The receiver answered {statusCode}.";
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                error = $"No answer within {WebhookGuard.RequestTimeout.TotalSeconds:0} seconds.";
            }
        }
        catch (Exception e) when (e is WebhookRefusedException || e.InnerException is WebhookRefusedException)
        {
            error = $"Refused: the URL {(e as WebhookRefusedException ?? (WebhookRefusedException)e.InnerException!).Message}";
        }
        catch (HttpRequestException e)
        {
            error = $"Could not connect ({e.HttpRequestError}).";
        }
        var durationMs = (int)clock.GetElapsedTime(started).TotalMilliseconds;

        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        var endpointChanged = error is null
            ? await webhooks.DeliveredAsync(tx, delivery, statusCode!.Value, durationMs, carriesContact, now)
            : await webhooks.FailedAsync(tx, delivery, endpoint, statusCode, durationMs, error, carriesContact, ev.CreatedAt, now);
        await tx.CommitAsync(ct);
        metrics.WebhookDelivery(endpoint.Id, error is null ? DeliveryStatus.Delivered : DeliveryStatus.Failed);
        if (error is not null)
        {
            log.LogWarning("Webhook delivery {DeliveryId} to endpoint {WebhookId} failed: {Error}", delivery.Id, endpoint.Id, error);
            if (endpointChanged) log.LogWarning("Webhook endpoint {WebhookId} disabled: every delivery has failed for 3 days", endpoint.Id);
        }
        else if (endpointChanged) log.LogInformation("Webhook endpoint {WebhookId} enabled again by a successful ping", endpoint.Id);
        else if (delivery.Attempts > 1)
            log.LogInformation("Webhook delivery {DeliveryId} to endpoint {WebhookId} succeeded at attempt {Attempt}", delivery.Id, endpoint.Id, delivery.Attempts);
    }

    /// <summary>
    /// <c>Undersigned-Signature: v1=</c> the hex HMAC-SHA256 of "timestamp.body" under the endpoint's secret; while a
    /// rotation's previous secret still signs, a second <c>v1=</c> under it follows, comma-separated.
    /// </summary>
    HttpRequestMessage Sign(HttpRequestMessage request, WebhookTarget endpoint, byte[] body)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString();
        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var secrets = new List<byte[]> { endpoint.SecretSealed };
        if (endpoint.PreviousSecretSealed is { } previous && endpoint.PreviousSecretUntil > clock.GetUtcNow()) secrets.Add(previous);
        var signatures = secrets.Select(s => "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(serviceKeys.OpenWebhookSecret(s)), signed)));
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Undersigned-Timestamp", timestamp);
        request.Headers.Add("Undersigned-Signature", string.Join(",", signatures));
        request.Headers.UserAgent.ParseAdd("Undersigned-Webhooks/1");
        return request;
    }

    /// <summary>Reads at most 64 KB of the answer and keeps none of it: a receiver cannot make us read or store more.</summary>
    static async Task DrainAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[8192];
        for (var total = 0; total < WebhookGuard.MaxResponseBytes;)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, WebhookGuard.MaxResponseBytes - total)), ct);
            if (read == 0) break;
            total += read;
        }
    }

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }
}

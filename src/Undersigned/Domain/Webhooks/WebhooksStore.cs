using System.Text.Json;
using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Webhooks;

/// <summary>
/// The only place that reads and writes webhook endpoints, events and deliveries. Other stores call it inside their own
/// transactions, so an event is queued exactly when what it reports commits, and never when it rolls back.
/// </summary>
public sealed partial class WebhooksStore(Db db)
{
    public static readonly TimeSpan RetryFor = TimeSpan.FromHours(24), DisableAfter = TimeSpan.FromDays(3), MaxBackoff = TimeSpan.FromHours(1);

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(10 * Math.Pow(2, attempts - 1), MaxBackoff.TotalSeconds));

    /// <summary>Raised after a transaction that queued a delivery commits: the sender wakes instead of polling.</summary>
    public event Action? Queued;
    Action? raiseQueued;

    const string Columns = """
        id, url, events AS event_list, partner_id, created_at, previous_secret_until, failing_since, last_error, disabled_at, disabled_reason
        """;

    // ----- endpoints

    public async Task<WebhookRow> CreateAsync(string url, string[] events, long? partnerId, byte[] secretSealed, long keyId, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleAsync<WebhookRow>($"""
            INSERT INTO webhook_endpoints (url, events, partner_id, secret_sealed, created_at, created_by)
            VALUES (@url, @events, @partnerId, @secretSealed, @now, @keyId) RETURNING {Columns}
            """, new { url, events = EventList(events), partnerId, secretSealed, now, keyId });
    }

    static string EventList(IEnumerable<string> events) => $",{string.Join(',', events)},";

    public async Task<List<WebhookRow>> ListAsync(long? after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<WebhookRow>($"SELECT {Columns} FROM webhook_endpoints WHERE id > @after ORDER BY id LIMIT @take",
            new { after = after ?? 0, take })).ToList();
    }

    /// <summary>Endpoints whose deliveries fail, or which were disabled for it.</summary>
    public async Task<List<WebhookRow>> TroubledAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<WebhookRow>(
            $"SELECT {Columns} FROM webhook_endpoints WHERE failing_since IS NOT NULL OR disabled_at IS NOT NULL ORDER BY id")).ToList();
    }

    public async Task<WebhookRow?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>($"SELECT {Columns} FROM webhook_endpoints WHERE id = @id", new { id });
    }

    public async Task<WebhookTarget?> TargetAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<WebhookTarget>("""
            SELECT id, url, partner_id, secret_sealed, previous_secret_sealed, previous_secret_until, failing_since FROM webhook_endpoints WHERE id = @id
            """, new { id });
    }

    /// <summary>Deletes an endpoint with its queue and record; false when there was none.</summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken ct)
    {
        // Deliveries first, then the endpoint: the order the sender locks them in when it records an attempt, so the two
        // can make each other wait but never deadlock (PostgreSQL aborted one of them).
        await using var tx = await db.BeginWriteAsync(ct);
        await tx.ExecuteAsync("DELETE FROM webhook_deliveries WHERE endpoint_id = @id", new { id });
        var deleted = await tx.ExecuteAsync("DELETE FROM webhook_endpoints WHERE id = @id", new { id }) == 1;
        await tx.CommitAsync(ct);
        return deleted;
    }

    /// <summary>A new secret signs from now on; the one it replaces signs too until <paramref name="previousUntil"/>.</summary>
    public async Task<WebhookRow?> RotateSecretAsync(long id, byte[] secretSealed, DateTimeOffset previousUntil, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<WebhookRow>($"""
            UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = @previousUntil, secret_sealed = @secretSealed
            WHERE id = @id RETURNING {Columns}
            """, new { id, secretSealed, previousUntil });
    }

    // ----- events, queued in the transaction that makes them true

    /// <summary>
    /// A signature started to count: to the endpoints subscribed, a partner's only for the signatures it brought to a
    /// letter it is still attached to.
    /// </summary>
    public Task SignatureConfirmedAsync(WriteTransaction tx, long signatureId, DateTimeOffset now)
        => QueueAsync(tx, WebhookEvent.SignatureConfirmed, signatureId, null, $"""
            SELECT e.id FROM webhook_endpoints e WHERE {Subscribed}
              AND (e.partner_id IS NULL OR EXISTS (SELECT 1 FROM signatures s JOIN letter_partners lp ON lp.letter_id = s.letter_id AND lp.partner_id = s.partner_id
                                                   WHERE s.id = @signatureId AND s.partner_id = e.partner_id AND lp.detached_at IS NULL))
            """, now);

    /// <summary>
    /// A signature was withdrawn or erased: a <c>signature.confirmed</c> not yet delivered is cancelled, and every endpoint
    /// that received one or had one queued (disabled or not), and every endpoint subscribed, hears that it is withdrawn.
    /// </summary>
    public async Task SignatureWithdrawnAsync(WriteTransaction tx, long signatureId, DateTimeOffset now)
    {
        if (await tx.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM webhook_events WHERE signature_id = @signatureId AND type = '{WebhookEvent.SignatureWithdrawn}')",
                new { signatureId }))
            return; // erased twice: told once
        await tx.ExecuteAsync($"""
            UPDATE webhook_deliveries SET status = '{DeliveryStatus.Cancelled}', lease_until = NULL
            WHERE status = '{DeliveryStatus.Queued}'
              AND event_id IN (SELECT id FROM webhook_events WHERE signature_id = @signatureId AND type = '{WebhookEvent.SignatureConfirmed}')
            """, new { signatureId });
        await QueueAsync(tx, WebhookEvent.SignatureWithdrawn, signatureId, null, $"""
            SELECT d.endpoint_id FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
            WHERE ev.signature_id = @signatureId AND ev.type = '{WebhookEvent.SignatureConfirmed}'
            UNION
            SELECT e.id FROM webhook_endpoints e WHERE {Subscribed}
              AND EXISTS (SELECT 1 FROM signatures s WHERE s.id = @signatureId AND s.confirmed_at IS NOT NULL
                          AND (e.partner_id IS NULL OR e.partner_id = s.partner_id))
            """, now);
    }

    /// <summary>
    /// A signer stopped sharing their details with the partner they came through (the signature stands): every partner
    /// endpoint that was sent or queued the signature hears it, so it erases the contact details it holds. What is still
    /// queued carries none, as bodies are built when sent.
    /// </summary>
    public Task SharingStoppedAsync(WriteTransaction tx, long signatureId, DateTimeOffset now)
        => QueueAsync(tx, WebhookEvent.SharingStopped, signatureId, null, $"""
            SELECT DISTINCT d.endpoint_id FROM webhook_deliveries d
            JOIN webhook_events ev ON ev.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
            WHERE ev.signature_id = @signatureId AND ev.type = '{WebhookEvent.SignatureConfirmed}' AND e.partner_id IS NOT NULL
            """, now);

    /// <summary>Something happened to a letter: to the endpoints subscribed, a partner's only for letters it is attached to.</summary>
    public Task LetterEventAsync(WriteTransaction tx, string type, long letterId, object? facts, DateTimeOffset now)
        => QueueAsync(tx, type, null, letterId, $"""
            SELECT e.id FROM webhook_endpoints e WHERE {Subscribed}
              AND (e.partner_id IS NULL OR e.partner_id IN (SELECT partner_id FROM letter_partners WHERE letter_id = @letterId AND detached_at IS NULL))
            """, now, facts);

    const string Subscribed = "e.disabled_at IS NULL AND e.events LIKE @pattern";

    // The key of the advisory lock instances queue passed deadlines under: any constant no other advisory lock uses.
    const long PassedDeadlinesLock = 0x756e646572_02;

    /// <summary>Published letters whose deadline passed in the last day with no <c>letter.closed</c> since; a staff close queues its own.</summary>
    const string PassedDeadlines = $"""
        SELECT l.id FROM letters l
        WHERE l.published_at IS NOT NULL AND l.closes_at <= @now AND l.closes_at > @since
          AND NOT EXISTS (SELECT 1 FROM webhook_events ev WHERE ev.letter_id = l.id AND ev.type = '{WebhookEvent.LetterClosed}' AND ev.created_at >= l.closes_at)
        """;

    /// <summary>
    /// A letter closes at its deadline though nothing runs then: the sender calls this when it wakes, and queues
    /// <c>letter.closed</c> for each letter that closed so, once. Only reads unless some endpoint listens.
    /// </summary>
    public async Task QueuePassedDeadlinesAsync(DateTimeOffset now, CancellationToken ct)
    {
        var parameters = new { now, since = now - TimeSpan.FromDays(1), pattern = $"%,{WebhookEvent.LetterClosed},%" };
        await using (var connection = await db.OpenReadAsync(ct))
            if (!await connection.ExecuteScalarAsync<bool>($"SELECT EXISTS ({PassedDeadlines}) AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE {Subscribed})",
                    parameters))
                return;
        await using var tx = await db.BeginWriteAsync(ct);
        // Instances sharing a PostgreSQL database take turns here, so the second sees the first's event and queues none.
        if (db.Engine == Engine.Postgres) await tx.ExecuteAsync("SELECT pg_advisory_xact_lock(@PassedDeadlinesLock)", new { PassedDeadlinesLock });
        foreach (var letterId in (await tx.QueryAsync<long>(PassedDeadlines, parameters)).ToList())
            await LetterEventAsync(tx, WebhookEvent.LetterClosed, letterId, new { change = "deadline" }, now);
        await tx.CommitAsync(ct);
    }

    /// <summary>The next deadline to pass, while some endpoint listens for <c>letter.closed</c>.</summary>
    public async Task<DateTimeOffset?> NextDeadlineAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>($"""
            SELECT min(closes_at) FROM letters WHERE published_at IS NOT NULL AND closes_at > @now
              AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE {Subscribed})
            """, new { now, pattern = $"%,{WebhookEvent.LetterClosed},%" });
    }

    /// <summary>
    /// Finds the endpoints <paramref name="endpointsSql"/> selects and, only when there are some (most letters have none:
    /// one read on the signing path), records the event and a delivery to each.
    /// </summary>
    async Task QueueAsync(WriteTransaction tx, string type, long? signatureId, long? letterId, string endpointsSql, DateTimeOffset now, object? facts = null)
    {
        var endpoints = (await tx.QueryAsync<long>(endpointsSql, new { signatureId, letterId, pattern = $"%,{type},%" })).ToList();
        if (endpoints.Count == 0) return;
        var eventId = NewEventId();
        await tx.ExecuteAsync("""
            INSERT INTO webhook_events (id, type, letter_id, signature_id, facts, created_at)
            VALUES (@eventId, @type, coalesce(@letterId, (SELECT letter_id FROM signatures WHERE id = @signatureId)), @signatureId, @facts, @now)
            """, new { eventId, type, letterId, signatureId, facts = facts is null ? null : JsonSerializer.Serialize(facts, Json.Options), now });
        foreach (var endpointId in endpoints) await AddDeliveryAsync(tx, endpointId, eventId, null, now);
    }

    static string NewEventId() => $"evt_{Guid.CreateVersion7():N}";

    Task<DeliveryRow> AddDeliveryAsync(WriteTransaction tx, long endpointId, string eventId, long? redeliveryOf, DateTimeOffset now)
    {
        tx.AfterCommit(raiseQueued ??= () => Queued?.Invoke());
        return tx.SingleOrDefaultAsync<DeliveryRow>($"""
            INSERT INTO webhook_deliveries (endpoint_id, event_id, status, next_attempt_at, created_at, redelivery_of)
            VALUES (@endpointId, @eventId, '{DeliveryStatus.Queued}', @now, @now, @redeliveryOf)
            RETURNING {DeliveryColumns.Replace("d.", "")}, (SELECT type FROM webhook_events WHERE id = @eventId) AS type
            """, new { endpointId, eventId, now, redeliveryOf })!;
    }

    /// <summary>A test event to one endpoint, sent even while it is disabled (a success enables it again).</summary>
    public async Task<DeliveryRow> PingAsync(long endpointId, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var eventId = NewEventId();
        await tx.ExecuteAsync("INSERT INTO webhook_events (id, type, facts, created_at) VALUES (@eventId, @type, @facts, @now)",
            new { eventId, type = WebhookEvent.Ping, facts = JsonSerializer.Serialize(new { webhookId = endpointId }, Json.Options), now });
        var delivery = await AddDeliveryAsync(tx, endpointId, eventId, null, now);
        await tx.CommitAsync(ct);
        return delivery;
    }

    /// <summary>The same event (same id) to the same endpoint once more; null when the endpoint has no such delivery.</summary>
    public async Task<DeliveryRow?> RedeliverAsync(long endpointId, long deliveryId, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var eventId = await tx.ScalarAsync<string>("SELECT event_id FROM webhook_deliveries WHERE id = @deliveryId AND endpoint_id = @endpointId",
            new { deliveryId, endpointId });
        if (eventId is null) return null;
        var delivery = await AddDeliveryAsync(tx, endpointId, eventId, deliveryId, now);
        await tx.CommitAsync(ct);
        return delivery;
    }

    // ----- the record staff read

    const string DeliveryColumns = """
        d.id, d.endpoint_id, d.event_id, d.status, d.attempts, d.created_at, d.last_attempt_at, d.status_code, d.duration_ms, d.error,
        d.carried_contact, d.redelivery_of, CASE WHEN d.status = 'queued' THEN d.next_attempt_at END AS next_attempt_at
        """;

    /// <summary>An endpoint's deliveries, newest first, before the cursor's id.</summary>
    public async Task<List<DeliveryRow>> DeliveriesAsync(long endpointId, long? before, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<DeliveryRow>($"""
            SELECT {DeliveryColumns}, ev.type FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
            WHERE d.endpoint_id = @endpointId AND d.id < @before ORDER BY d.id DESC LIMIT @take
            """, new { endpointId, before = before ?? long.MaxValue, take })).ToList();
    }
}

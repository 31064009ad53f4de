using System.Text.Json;
using Dapper;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Webhooks;

// The sender's queue: what is due, what was delivered, what failed.
public sealed partial class WebhooksStore
{
    // ----- the sender's queue

    /// <summary>Queued deliveries a sender may take: not claimed by another, and to an endpoint not disabled (pings excepted).</summary>
    const string Deliverable = $"""
        FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.status = '{DeliveryStatus.Queued}' AND (e.disabled_at IS NULL OR ev.type = '{WebhookEvent.Ping}')
        """;

    const string DueNow = "AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now)";

    /// <summary>Endpoints with deliveries due now.</summary>
    public async Task<List<long>> DueEndpointsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<long>($"SELECT DISTINCT d.endpoint_id {Deliverable} {DueNow}", new { now })).ToList();
    }

    /// <summary>
    /// Claims up to <paramref name="take"/> of an endpoint's due deliveries until <paramref name="leaseUntil"/>, counting the
    /// attempt. Another instance skips them (PostgreSQL: row locks taken by the claim); a sender that dies lets the lease run out.
    /// </summary>
    public async Task<List<ClaimedDelivery>> ClaimAsync(long endpointId, int take, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return (await connection.QueryAsync<ClaimedDelivery>($"""
            UPDATE webhook_deliveries SET lease_until = @leaseUntil, attempts = attempts + 1
            WHERE id IN (SELECT d.id {Deliverable} AND d.endpoint_id = @endpointId {DueNow} ORDER BY d.id LIMIT @take
                         {(db.Engine == Engine.Postgres ? "FOR UPDATE OF d SKIP LOCKED" : "")})
            RETURNING id, endpoint_id, event_id, attempts
            """, new { endpointId, take, now, leaseUntil })).ToList();
    }

    /// <summary>When a delivery next falls due, leaving out endpoints the sender is busy with (it looks again as each finishes).</summary>
    public async Task<DateTimeOffset?> NextDueAsync(IReadOnlyCollection<long> busyEndpoints, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        var notBusy = busyEndpoints.Count == 0 ? "" : $"AND NOT ({db.In("d.endpoint_id", "busyEndpoints")})";
        return await connection.ExecuteScalarAsync<DateTimeOffset?>($"""
            SELECT min(CASE WHEN d.lease_until > d.next_attempt_at THEN d.lease_until ELSE d.next_attempt_at END) {Deliverable} {notBusy}
            """, new { busyEndpoints = busyEndpoints.ToArray() });
    }

    public async Task<WebhookEventRow?> EventAsync(string id, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<WebhookEventRow>(
            "SELECT id, type, letter_id, signature_id, facts, created_at FROM webhook_events WHERE id = @id", new { id });
    }

    /// <summary>What one attempt came to. A success clears the endpoint's failing state and, after a ping, enables it: true then.</summary>
    public async Task<bool> DeliveredAsync(WriteTransaction tx, ClaimedDelivery delivery, int statusCode, int durationMs, bool carriedContact, DateTimeOffset now)
    {
        await tx.ExecuteAsync($"""
            UPDATE webhook_deliveries SET status = '{DeliveryStatus.Delivered}', lease_until = NULL, last_attempt_at = @now, status_code = @statusCode,
                   duration_ms = @durationMs, error = NULL, carried_contact = (carried_contact OR @carriedContact)
            WHERE id = @Id
            """, new { delivery.Id, now, statusCode, durationMs, carriedContact });
        await tx.ExecuteAsync("UPDATE webhook_endpoints SET failing_since = NULL, last_error = NULL WHERE id = @EndpointId", new { delivery.EndpointId });
        return await IsPingAsync(tx, delivery) && await tx.ExecuteAsync(
            "UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL WHERE id = @EndpointId AND disabled_at IS NOT NULL",
            new { delivery.EndpointId }) == 1;
    }

    /// <summary>
    /// A failed attempt: tried again after a back-off until the event is 24 hours old, then failed for good; one withdrawn
    /// meanwhile stays cancelled. An endpoint whose every delivery has failed for 3 days is disabled, with the reason: true then.
    /// </summary>
    public async Task<bool> FailedAsync(WriteTransaction tx, ClaimedDelivery delivery, WebhookTarget endpoint, int? statusCode, int durationMs,
        string error, bool carriedContact, DateTimeOffset eventCreatedAt, DateTimeOffset now)
    {
        var next = now + Backoff(delivery.Attempts);
        await tx.ExecuteAsync($"""
            UPDATE webhook_deliveries SET lease_until = NULL, last_attempt_at = @now, status_code = @statusCode, duration_ms = @durationMs, error = @error,
                   carried_contact = (carried_contact OR @carriedContact), next_attempt_at = @next,
                   status = CASE WHEN status <> '{DeliveryStatus.Queued}' THEN status WHEN @giveUp THEN '{DeliveryStatus.Failed}' ELSE status END
            WHERE id = @Id
            """, new { delivery.Id, now, statusCode, durationMs, error, carriedContact, next, giveUp = next - eventCreatedAt > RetryFor });
        var failingSince = endpoint.FailingSince ?? now;
        await tx.ExecuteAsync("UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, @now), last_error = @error WHERE id = @Id",
            new { endpoint.Id, now, error });
        return now - failingSince >= DisableAfter && await tx.ExecuteAsync(
            "UPDATE webhook_endpoints SET disabled_at = @now, disabled_reason = @reason WHERE id = @Id AND disabled_at IS NULL",
            new { endpoint.Id, now, reason = $"Every delivery since {failingSince:yyyy-MM-dd HH:mm} UTC failed; the last: {error}" }) == 1;
    }

    /// <summary>
    /// Ends a queued delivery without sending it, saying why: cancelled (the endpoint may not hear of the event), or
    /// failed when the sender could not even prepare it, time after time (staff may redeliver).
    /// </summary>
    public async Task EndAsync(long deliveryId, string status, string error, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync($"""
            UPDATE webhook_deliveries SET status = @status, lease_until = NULL, last_attempt_at = @now, error = @error
            WHERE id = @deliveryId AND status = '{DeliveryStatus.Queued}'
            """, new { deliveryId, status, error, now });
    }

    async Task<bool> IsPingAsync(WriteTransaction tx, ClaimedDelivery delivery)
        => await tx.ScalarAsync<string>("SELECT type FROM webhook_events WHERE id = @EventId", new { delivery.EventId }) == WebhookEvent.Ping;

    /// <summary>
    /// Deliveries finished more than 30 days ago go, and events left with none; returns how many deliveries. Kept: the
    /// confirmations of signatures not withdrawn, which say where a later withdrawal must reach.
    /// </summary>
    public async Task<int> ForgetOldDeliveriesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var forgotten = await tx.ExecuteAsync($"""
            DELETE FROM webhook_deliveries WHERE status <> '{DeliveryStatus.Queued}' AND created_at < @before
              AND NOT EXISTS (SELECT 1 FROM webhook_events ev JOIN signatures s ON s.id = ev.signature_id
                              WHERE ev.id = webhook_deliveries.event_id AND ev.type = '{WebhookEvent.SignatureConfirmed}'
                                AND s.status <> '{SignatureStatus.Withdrawn}')
            """, new { before = now - TimeSpan.FromDays(30) });
        await tx.ExecuteAsync("DELETE FROM webhook_events WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = webhook_events.id)");
        await tx.CommitAsync(ct);
        return forgotten;
    }
}

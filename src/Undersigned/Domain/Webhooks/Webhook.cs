using Undersigned.Infrastructure;

namespace Undersigned.Domain.Webhooks;

public static class WebhookEvent
{
    public const string SignatureConfirmed = "signature.confirmed", SignatureWithdrawn = "signature.withdrawn",
        SharingStopped = "signature.sharing_stopped", LetterPublished = "letter.published",
        LetterDeadlineChanged = "letter.deadline_changed", LetterClosed = "letter.closed", LetterMilestone = "letter.milestone", Ping = "ping";

    /// <summary>
    /// What an endpoint may subscribe to. A ping is sent on request, and <c>signature.sharing_stopped</c> to every partner
    /// endpoint that was sent the signature, whatever they subscribe to.
    /// </summary>
    public static readonly string[] Subscribable =
        [SignatureConfirmed, SignatureWithdrawn, LetterPublished, LetterDeadlineChanged, LetterClosed, LetterMilestone];
}

public static class DeliveryStatus
{
    public const string Queued = "queued", Delivered = "delivered", Failed = "failed", Cancelled = "cancelled";
}

/// <summary>A registered endpoint as staff see it; never its secret.</summary>
public sealed class WebhookRow
{
    public long Id { get; init; }
    public string Url { get; init; } = "";
    /// <summary>The event types it receives.</summary>
    public string[] Events => EventList.Split(',', StringSplitOptions.RemoveEmptyEntries);
    [System.Text.Json.Serialization.JsonIgnore] public string EventList { get; init; } = "";
    /// <summary>Set for a partner's endpoint: it receives only that partner's signatures and letters.</summary>
    public long? PartnerId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Until when the secret before the last rotation still signs; null when there is none.</summary>
    public DateTimeOffset? PreviousSecretUntil { get; init; }
    /// <summary>The first failed delivery since the last success; null while deliveries succeed.</summary>
    public DateTimeOffset? FailingSince { get; init; }
    public string? LastError { get; init; }
    /// <summary>Set when every delivery failed for 3 days: nothing is sent until a ping succeeds.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
    public string? DisabledReason { get; init; }
}

/// <summary>What the sender needs of an endpoint: where, whose, and the secrets that sign.</summary>
public sealed class WebhookTarget
{
    public long Id { get; init; }
    public string Url { get; init; } = "";
    public long? PartnerId { get; init; }
    public byte[] SecretSealed { get; init; } = [];
    public byte[]? PreviousSecretSealed { get; init; }
    public DateTimeOffset? PreviousSecretUntil { get; init; }
    public DateTimeOffset? FailingSince { get; init; }
}

/// <summary>One event's attempt record at one endpoint.</summary>
public sealed class DeliveryRow
{
    public long Id { get; init; }
    public long EndpointId { get; init; }
    /// <summary>The event's id, the same in every retry and redelivery: receivers use it to ignore repeats.</summary>
    public string EventId { get; init; } = "";
    public string Type { get; init; } = "";
    /// <summary><c>queued</c>, <c>delivered</c>, <c>failed</c> (gave up after 24 hours) or <c>cancelled</c> (the signer withdrew first).</summary>
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public DateTimeOffset? LastAttemptAt { get; init; }
    /// <summary>The HTTP status of the last attempt; null when no answer came.</summary>
    public int? StatusCode { get; init; }
    public int? DurationMs { get; init; }
    public string? Error { get; init; }
    /// <summary>Whether an attempt carried a signer's contact details (to a partner they consented to).</summary>
    public bool CarriedContact { get; init; }
    public long? RedeliveryOf { get; init; }
}

/// <summary>An event as stored: ids and non-personal facts (a milestone, a deadline's move).</summary>
public sealed class WebhookEventRow
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public long? LetterId { get; init; }
    public long? SignatureId { get; init; }
    public string? Facts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A delivery a sender has claimed, with its event.</summary>
public sealed class ClaimedDelivery
{
    public long Id { get; init; }
    public long EndpointId { get; init; }
    public string EventId { get; init; } = "";
    /// <summary>Attempts including this one.</summary>
    public int Attempts { get; init; }
}

using FastEndpoints;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Service;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;
using Undersigned.Services;

namespace Undersigned.Features.Health.Admin;

public sealed class Response
{
    /// <summary>This instance's readiness: <c>ready</c>, <c>degraded</c> or <c>not ready</c>, and why.</summary>
    public required string Status { get; init; }
    public required List<string> Reasons { get; init; }
    public required string Version { get; init; }
    public required string SchemaVersion { get; init; }
    /// <summary>Signature writes waiting for this instance's writer, of <see cref="GroupCommit.QueueCapacity"/>.</summary>
    public int WriterQueue { get; init; }
    public int WriterQueueCapacity { get; init; }
    /// <summary>Emails waiting to be sent (every instance's), and when the oldest of them was queued.</summary>
    public long MailBacklog { get; init; }
    public DateTimeOffset? OldestMailQueuedAt { get; init; }
    /// <summary>The relay as this instance meets it: <c>flowing</c>, or <c>held</c> while it refuses us or is out of reach.</summary>
    public required string MailTransport { get; init; }
    public DateTimeOffset? MailHeldSince { get; init; }
    public string? MailLastError { get; init; }
    /// <summary>Letters with mail waiting or refused for good.</summary>
    public required List<LetterMail> Letters { get; init; }
    /// <summary>Webhook endpoints whose deliveries fail, or which were disabled for it.</summary>
    public required List<WebhookRow> Webhooks { get; init; }
    /// <summary>This instance's background loops.</summary>
    public required List<Loops.State> Loops { get; init; }
    /// <summary>When a retention run last started on any instance.</summary>
    public DateTimeOffset? LastRetentionRun { get; init; }
}

/// <summary>What an operator looks at when something seems wrong: readiness, mail, webhooks, loops, retention.</summary>
public sealed class Endpoint(Readiness readiness, GroupCommit writer, OutboxStore outbox, WebhooksStore webhooks, ServiceStateStore state,
    Loops loops, Migrator migrator) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/admin/health");
        Roles(Role.Admin);
        Description(b => b.WithName("AdminHealth").WithTags("Service")
            .WithSummary("This instance's readiness with reasons, the mail backlog and held or undeliverable mail per letter, failing webhooks, each loop's last success, the last retention run")
            .Produces<Response>(), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var verdict = await readiness.CheckAsync(ct);
        var (backlog, oldest) = await outbox.BacklogAsync(ct);
        var mail = loops[Loops.Mail];
        await Send.OkAsync(new Response
        {
            Status = verdict.Status, Reasons = [.. verdict.Blocking, .. verdict.Degrading],
            Version = ServiceVersion.Version, SchemaVersion = migrator.SchemaVersion,
            WriterQueue = writer.QueueDepth, WriterQueueCapacity = GroupCommit.QueueCapacity,
            MailBacklog = backlog, OldestMailQueuedAt = oldest,
            MailTransport = mail.FailingSince is null ? "flowing" : "held", MailHeldSince = mail.FailingSince, MailLastError = mail.LastError,
            Letters = await outbox.ByLetterAsync(ct),
            Webhooks = await webhooks.TroubledAsync(ct),
            Loops = [.. loops.All.Where(l => l.Name != Loops.Mail)],
            LastRetentionRun = await state.LastRunAsync(Loops.Retention, ct),
        }, ct);
    }
}

using System.Text.Json;
using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Audit;

public sealed class Request : PageQuery
{
    /// <summary>Only entries about this letter.</summary>
    public long? LetterId { get; set; }
}

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Entry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    /// <summary>The key that acted; null for the service itself (retention purge).</summary>
    public long? KeyId { get; init; }
    /// <summary>Such as <c>signatures.read</c>, <c>export.csv</c>, <c>delivery.pdf</c>, <c>signature.correct</c>, <c>signature.erase</c>,
    /// <c>signature.approve</c>, <c>signature.reject</c>, <c>letter.deadline</c>, <c>letter.close</c>, <c>letter.purge</c>, <c>key.create</c>, <c>key.revoke</c>.</summary>
    public required string Action { get; init; }
    public long? LetterId { get; init; }
    public long? SignatureId { get; init; }
    /// <summary>How many signatures the action read or touched.</summary>
    public long? Rows { get; init; }
    /// <summary>What changed, where it matters (a correction keeps the original). Erased with the signature.</summary>
    public JsonElement? Details { get; init; }
}

public sealed class Endpoint(AuditStore audit) : Endpoint<Request, Page<Entry>>
{
    public override void Configure()
    {
        Get("/api/audit");
        Roles(Role.Admin);
        Description(b => b.WithName("ListAudit").WithTags("Audit").WithSummary("The audit trail, newest first")
            .Produces<Page<Entry>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var rows = await audit.ListAsync(request.LetterId, request.CursorKey, request.Take + 1, ct);
        var page = Paging.Of(rows, request.Take, r => r.Id);
        await Send.OkAsync(new(page.Items.Select(r => new Entry
        {
            Id = r.Id, At = r.At, KeyId = r.KeyId, Action = r.Action, LetterId = r.LetterId, SignatureId = r.SignatureId, Rows = r.Rows,
            Details = r.Details is null ? null : JsonDocument.Parse(r.Details).RootElement.Clone(),
        }).ToList(), page.NextCursor), ct);
    }
}

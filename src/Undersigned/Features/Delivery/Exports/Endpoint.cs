using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Delivery.Exports;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class ExportRecord
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    /// <summary>The id of the key that exported.</summary>
    public long KeyId { get; init; }
    /// <summary><c>export.csv</c>, <c>delivery.md</c>, <c>delivery.html</c> or <c>delivery.pdf</c>.</summary>
    public required string Format { get; init; }
    /// <summary>Signatures in the export.</summary>
    public long Rows { get; init; }
}

public sealed class Endpoint(LettersStore letters, AuditStore audit) : Endpoint<Request, Page<ExportRecord>>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/exports");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListExports").WithTags("Delivery").WithSummary("Who exported what from this letter, and when, newest first")
            .Produces<Page<ExportRecord>>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var rows = await audit.ExportsAsync(letterId, request.CursorKey, request.Take + 1, ct);
        await Send.OkAsync(Paging.Of(rows.Select(r => new ExportRecord { Id = r.Id, At = r.At, KeyId = r.KeyId ?? 0, Format = r.Action, Rows = r.Rows ?? 0 })
            .ToList(), request.Take, r => r.Id), ct);
    }
}

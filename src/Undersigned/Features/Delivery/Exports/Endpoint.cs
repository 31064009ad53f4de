using Dapper;
using FastEndpoints;
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

public sealed class Endpoint(Db db) : Endpoint<Request, Page<ExportRecord>>
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
        await using var connection = await db.OpenAsync(ct);
        if (!await Letters.LetterData.ExistsAsync(connection, letterId))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var rows = (await connection.QueryAsync<ExportRecord>("""
            SELECT id, at, key_id, action AS format, rows FROM audit_log
            WHERE letter_id = @letterId AND (action = 'export.csv' OR action LIKE 'delivery.%') AND id < @before
            ORDER BY id DESC LIMIT @take
            """, new { letterId, before = request.CursorKey ?? long.MaxValue, take = request.Take + 1 })).ToList();
        await Send.OkAsync(Paging.Of(rows, request.Take, r => r.Id), ct);
    }
}

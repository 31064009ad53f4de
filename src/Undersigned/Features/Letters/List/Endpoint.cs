using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(Db db, TimeProvider clock) : Endpoint<Request, Page<LetterResponse>>
{
    public override void Configure()
    {
        Get("/api/letters");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListLetters").WithTags("Letters").WithSummary("List letters, newest first")
            .Produces<Page<LetterResponse>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<LetterRow>(
            "SELECT * FROM letters WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = request.CursorKey ?? long.MaxValue, take = request.Take + 1 })).ToList();
        var page = Paging.Of(rows, request.Take, r => r.Id);
        await Send.OkAsync(new(await LetterData.ToResponsesAsync(connection, page.Items, clock.GetUtcNow()), page.NextCursor), ct);
    }
}

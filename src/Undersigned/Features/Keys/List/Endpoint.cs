using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(Db db) : Endpoint<Request, Page<KeyResponse>>
{
    public override void Configure()
    {
        Get("/api/keys");
        Roles(Role.Admin);
        Description(b => b.WithName("ListKeys").WithTags("Keys").WithSummary("List API keys, revoked ones included, newest first")
            .Produces<Page<KeyResponse>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var rows = (await connection.QueryAsync<KeyResponse>(
            "SELECT id, name, role, hint, created_at, created_by, revoked_at FROM api_keys WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = request.CursorKey ?? long.MaxValue, take = request.Take + 1 })).ToList();
        await Send.OkAsync(Paging.Of(rows, request.Take, k => k.Id), ct);
    }
}

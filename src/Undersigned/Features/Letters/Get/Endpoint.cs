using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Get;

public sealed class Endpoint(Db db, TimeProvider clock) : EndpointWithoutRequest<LetterResponse>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("GetLetter").WithTags("Letters")
            .WithSummary("Read a letter with its text versions and deadline history")
            .Produces<LetterResponse>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var row = await LetterData.FindAsync(connection, Route<long>("id"));
        if (row is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        HttpContext.Response.Headers.ETag = row.ETag;
        await Send.OkAsync(await LetterData.ToResponseAsync(connection, row, clock.GetUtcNow()), ct);
    }
}

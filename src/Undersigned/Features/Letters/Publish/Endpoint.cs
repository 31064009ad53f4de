using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Publish;

public sealed class Endpoint(Db db, Public.LetterCache letterCache, LetterKeys letterKeys, TimeProvider clock) : EndpointWithoutRequest<LetterResponse>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/publish");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("PublishLetter").WithTags("Letters")
            .WithSummary("Publish a draft: open for signing now, or at opensAt")
            .WithDescription("Records the letter's wording as text version 1.")
            .Produces<LetterResponse>().Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        var row = await LetterData.FindAsync(connection, Route<long>("id"), tx);
        var problem =
            row is null ? Problems.LetterNotFound(HttpContext)
            : row.PublishedAt is not null ? Problems.Create(HttpContext, 409, "The letter is already published.")
            : row.ClosesAt <= now ? Problems.Create(HttpContext, 409, "The letter's closesAt has passed: move it before publishing.", ("closesAt", "must be in the future."))
            : null;
        if (problem is not null)
        {
            await Send.ResultAsync(problem);
            return;
        }

        await letterKeys.CreateAsync(connection, tx, row!.Id, now);
        await LetterData.AddTextVersionAsync(connection, tx, row.Id, 1, row.Title, row.Target, row.Body, now, User.KeyId());
        await connection.ExecuteAsync(
            "UPDATE letters SET published_at = @now, text_version = 1, row_version = row_version + 1, updated_at = @now WHERE id = @Id",
            new { now, row.Id }, tx);
        await tx.CommitAsync(ct);
        letterCache.Forget();

        await Send.OkAsync(await LetterData.ReloadAsync(connection, HttpContext, row.Id, now), ct);
    }
}

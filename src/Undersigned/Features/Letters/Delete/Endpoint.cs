using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Delete;

public sealed class Endpoint(Db db) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteLetter").WithTags("Letters").WithSummary("Delete a draft letter")
            .Produces(204).Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        var id = Route<long>("id");
        // One statement decides, so a publish racing this delete cannot lose.
        if (await connection.ExecuteAsync("DELETE FROM letters WHERE id = @id AND published_at IS NULL", new { id }) == 1)
        {
            await Send.NoContentAsync(ct);
            return;
        }
        await Send.ResultAsync(await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM letters WHERE id = @id)", new { id })
            ? Problems.Create(HttpContext, 409, "A published letter cannot be deleted: close it instead.")
            : Problems.LetterNotFound(HttpContext));
    }
}

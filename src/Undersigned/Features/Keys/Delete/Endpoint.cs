using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.Delete;

/// <summary>Revokes a key. The row stays, so the history of what the key did still names it.</summary>
public sealed class Endpoint(Db db, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/keys/{id:long}");
        Roles(Role.Admin);
        Description(b => b.WithName("DeleteKey").WithTags("Keys").WithSummary("Revoke an API key")
            .Produces(204).Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        var role = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL", new { id = Route<long>("id") }, tx);
        if (role is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "No active key has this id."));
            return;
        }
        if (role == Role.Admin && await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL", transaction: tx) == 1)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "This is the last admin key: create another admin key first."));
            return;
        }
        var now = clock.GetUtcNow();
        await connection.ExecuteAsync("UPDATE api_keys SET revoked_at = @now WHERE id = @id", new { now, id = Route<long>("id") }, tx);
        await AuditTrail.RecordAsync(connection, tx, now, User.KeyId(), "key.revoke", null, details: new { id = Route<long>("id"), role });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

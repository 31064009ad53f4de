using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.Delete;

/// <summary>Revokes a key. The row stays, so the history of what the key did still names it.</summary>
public sealed class Endpoint(Db db, ApiKeysStore keys, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
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
        var id = Route<long>("id");
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        var (result, role) = await keys.RevokeAsync(tx, id, now);
        if (result != ApiKeysStore.Revocation.Revoked)
        {
            await Send.ResultAsync(result == ApiKeysStore.Revocation.NotFound ? Problems.Create(HttpContext, 404, "No active key has this id.")
                : Problems.Create(HttpContext, 409, "This is the last admin key: create another admin key first."));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "key.revoke", null, details: new { id, role });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Sessions.Delete;

/// <summary>Ends a session: an admin any, anyone else only their own key's (a session left open elsewhere).</summary>
public sealed class Endpoint(Db db, ApiKeysStore keys, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/sessions/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteSession").WithTags("Sessions").WithSummary("Revoke a session")
            .Produces(204).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = Route<long>("id");
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        if (!await keys.RevokeSessionAsync(tx, id, User.IsInRole(Role.Admin) ? null : User.KeyId(), now))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "No live session of yours has this id."));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "session.revoke", null, details: new { session = id });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

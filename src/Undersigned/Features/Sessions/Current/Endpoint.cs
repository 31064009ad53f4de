using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Sessions.Current;

/// <summary>Signs out: the session token the request came with stops working at once.</summary>
public sealed class Endpoint(Db db, ApiKeysStore keys, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/sessions/current");
        Roles(Role.Staff, Role.Admin, Role.Partner);
        Description(b => b.WithName("EndCurrentSession").WithTags("Sessions").WithSummary("Sign out: end the session this request uses")
            .Produces(204).Problems(409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (User.SessionId() is not { } id)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "This request came with an API key, not a session: revoke the key to stop it working."));
            return;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        await keys.RevokeSessionAsync(tx, id, User.KeyId(), now);
        await audit.RecordAsync(tx, now, User.KeyId(), "session.end", null, details: new { session = id });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.Detach;

/// <summary>Detaches a partner: its code is refused for new signatures; signatures it brought keep their attribution.</summary>
public sealed class Endpoint(Db db, PartnersStore partners, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}/partners/{partnerId:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DetachPartner").WithTags("Partners").WithSummary("Detach a partner from a letter")
            .Produces(204).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (letterId, partnerId) = (Route<long>("id"), Route<long>("partnerId"));
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        if (!await partners.DetachAsync(tx, letterId, partnerId, now))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This partner is not attached to this letter."));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "partner.detach", letterId, details: new { partnerId });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.Erase;

public sealed class Endpoint(Db db, SignaturesStore signatures, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}/signatures/{signatureId:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("EraseSignature").WithTags("Signatures")
            .WithSummary("Erase a signature's personal data at once (it becomes withdrawn and leaves lists and counts)")
            .Produces(204).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (letterId, signatureId) = (Route<long>("id"), Route<long>("signatureId"));
        await using var tx = await db.BeginWriteAsync(ct);
        if (await signatures.FindAsync(tx, letterId, signatureId) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This letter has no signature with this id."));
            return;
        }
        await signatures.EraseAsync(tx, signatureId);
        await audit.RecordAsync(tx, clock.GetUtcNow(), User.KeyId(), "signature.erase", letterId, signatureId, 1);
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

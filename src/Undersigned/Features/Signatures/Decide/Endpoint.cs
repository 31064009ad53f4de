using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.Decide;

/// <summary>Moderation: approve a signature waiting in review, or reject one.</summary>
public sealed class Endpoint(Db db, SignaturesStore signatures, AuditStore audit, LetterKeys letterKeys, TimeProvider clock)
    : EndpointWithoutRequest<StaffSignature>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/signatures/{signatureId:long}/approve", "/api/letters/{id:long}/signatures/{signatureId:long}/reject");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithTags("Signatures")
            .WithSummary("Approve a signature in review (it becomes confirmed), or reject a signature (it leaves lists and counts)")
            .Produces<StaffSignature>().Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var approve = HttpContext.Request.Path.Value!.EndsWith("/approve");
        var (letterId, signatureId) = (Route<long>("id"), Route<long>("signatureId"));
        var now = clock.GetUtcNow();
        bool decided;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            decided = await signatures.DecideAsync(tx, letterId, signatureId, approve, User.KeyId(), now);
            if (decided) await audit.RecordAsync(tx, now, User.KeyId(), approve ? "signature.approve" : "signature.reject", letterId, signatureId, 1);
            await tx.CommitAsync(ct);
        }

        var row = await signatures.FindAsync(letterId, signatureId, ct);
        if (row is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This letter has no signature with this id."));
            return;
        }
        if (!decided)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, $"A signature that is {row.Status} cannot be {(approve ? "approved" : "rejected")}."));
            return;
        }
        await Send.OkAsync(StaffSignature.Of(row, await letterKeys.GetAsync(letterId, ct)), ct);
    }
}

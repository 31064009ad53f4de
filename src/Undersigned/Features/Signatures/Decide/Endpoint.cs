using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.Decide;

/// <summary>Moderation: approve a signature waiting in review, or reject one.</summary>
public sealed class Endpoint(Db db, LetterKeys letterKeys, TimeProvider clock) : EndpointWithoutRequest<StaffSignature>
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
        // Approval takes review only; rejection takes anything not already rejected, withdrawn or expired.
        var from = approve ? new[] { "review" } : ["pending", "review", "confirmed"];
        await using var connection = await db.OpenAsync(ct);
        var now = clock.GetUtcNow();
        await using var tx = await connection.BeginWriteAsync(ct);
        var updated = await connection.ExecuteAsync("""
            UPDATE signatures SET status = @to, decided_at = @now, decided_by = @keyId
            WHERE id = @signatureId AND letter_id = @letterId AND status IN @from
            """, new { to = approve ? "confirmed" : "rejected", now, keyId = User.KeyId(), signatureId, letterId, from }, tx);
        if (updated == 1)
            await AuditTrail.RecordAsync(connection, tx, now, User.KeyId(), approve ? "signature.approve" : "signature.reject", letterId, signatureId, 1);
        await tx.CommitAsync(ct);

        var row = await StaffSignatures.FindAsync(connection, letterId, signatureId);
        if (row is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This letter has no signature with this id."));
            return;
        }
        if (updated == 0)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, $"A signature that is {row.Status} cannot be {(approve ? "approved" : "rejected")}."));
            return;
        }
        await Send.OkAsync(StaffSignatures.ToResponse(row, await letterKeys.GetAsync(connection, letterId)), ct);
    }
}

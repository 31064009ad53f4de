using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Outcomes.Delete;

public sealed class Endpoint(Db db, LettersStore letters, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}/outcomes/{outcomeId:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteOutcome").WithTags("Outcomes").WithSummary("Remove an outcome")
            .Produces(204).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (letterId, outcomeId) = (Route<long>("id"), Route<long>("outcomeId"));
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        if (!await letters.DeleteOutcomeAsync(tx, letterId, outcomeId, now))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This letter has no outcome with this id."));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "outcome.delete", letterId, details: new { id = outcomeId });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

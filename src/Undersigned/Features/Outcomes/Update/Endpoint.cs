using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Outcomes.Update;

public sealed class Request : OutcomeFields;

public sealed class Validator() : OutcomeFieldsValidator<Request>(required: false);

public sealed class Endpoint(Db db, LettersStore letters, AuditStore audit, TimeProvider clock) : Endpoint<Request, Outcome>
{
    public override void Configure()
    {
        Patch("/api/letters/{id:long}/outcomes/{outcomeId:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("UpdateOutcome").WithTags("Outcomes").WithSummary("Change an outcome; fields left out keep their values")
            .Produces<Outcome>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var (letterId, outcomeId) = (Route<long>("id"), Route<long>("outcomeId"));
        var current = (await letters.OutcomesAsync(letterId, ct)).FirstOrDefault(o => o.Id == outcomeId);
        if (current is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This letter has no outcome with this id."));
            return;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        await letters.UpdateOutcomeAsync(tx, letterId, outcomeId, request.Over(current), now);
        await audit.RecordAsync(tx, now, User.KeyId(), "outcome.update", letterId, details: new { id = outcomeId });
        await tx.CommitAsync(ct);
        await Send.OkAsync((await letters.OutcomesAsync(letterId, ct)).First(o => o.Id == outcomeId), ct);
    }
}

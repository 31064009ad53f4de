using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Outcomes.Add;

public sealed class Request : OutcomeFields
{
    /// <summary>true: also send it as an update to the signers who asked (same rules: one a day, not after the purge).</summary>
    public bool? Notify { get; set; }
}

public sealed class Validator() : OutcomeFieldsValidator<Request>(required: true);

/// <summary>Records what came of a letter; it shows on the public letter, its page and the widget.</summary>
public sealed class Endpoint(Db db, LettersStore letters, LetterUpdates updates, AuditStore audit, TimeProvider clock) : Endpoint<Request, Outcome>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/outcomes");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("AddOutcome").WithTags("Outcomes").WithSummary("Record what came of a letter (public)")
            .Produces<Outcome>(201).Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        if (letter?.PublishedAt is null)
        {
            await Send.ResultAsync(letter is null ? Problems.LetterNotFound(HttpContext)
                : Problems.Create(HttpContext, 409, "A draft has no outcomes: publish the letter first."));
            return;
        }
        var now = clock.GetUtcNow();
        if (request.Notify == true && LetterUpdates.Refusal(letter, now) is { } refusal)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, refusal, ("notify", "cannot be sent now.")));
            return;
        }
        await using var tx = await db.BeginWriteAsync(ct);
        var outcome = await letters.AddOutcomeAsync(tx, letter.Id, request.Over(null), User.KeyId(), now);
        await audit.RecordAsync(tx, now, User.KeyId(), "outcome.add", letter.Id, details: new { outcome.Id, outcome.Kind });
        if (request.Notify == true)
        {
            // Sent as an update under the same rules; if one went today, nothing is recorded, and nothing is lost.
            if (await updates.SendAsync(tx, letter, outcome.Title, outcome.Body, new Dictionary<string, UpdateText>(), User.KeyId(), now) is not { } sent)
            {
                await Send.ResultAsync(Problems.Create(HttpContext, 409, LetterUpdates.OneADay, ("notify", "cannot be sent today.")));
                return;
            }
            await audit.RecordAsync(tx, now, User.KeyId(), "update.send", letter.Id, rows: sent.Recipients, details: new { update = sent.Id, outcome = outcome.Id });
        }
        await tx.CommitAsync(ct);
        HttpContext.Response.Headers.Location = $"/api/letters/{letter.Id}/outcomes/{outcome.Id}";
        await Send.ResponseAsync(outcome, 201, ct);
    }
}

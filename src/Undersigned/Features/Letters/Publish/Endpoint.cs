using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Publish;

public sealed class Endpoint(Db db, LettersStore letters, LetterReader reader, TimeProvider clock) : EndpointWithoutRequest<LetterResponse>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/publish");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("PublishLetter").WithTags("Letters")
            .WithSummary("Publish a draft: open for signing now, or at opensAt")
            .WithDescription("Records the letter's wording as text version 1.")
            .Produces<LetterResponse>().Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var row = await letters.FindAsync(tx, Route<long>("id"));
            // A translation from before each carried its own consent, in a language the service has no words for.
            var withoutConsent = row is null ? [] : (await letters.TranslationsAsync(row.Id, ct)).Where(t => !t.Hidden && t.Consent is null).Select(t => t.Language).ToList();
            var problem =
                row is null ? Problems.LetterNotFound(HttpContext)
                : row.PublishedAt is not null ? Problems.Create(HttpContext, 409, "The letter is already published.")
                : row.ClosesAt <= now ? Problems.Create(HttpContext, 409, "The letter's closesAt has passed: move it before publishing.", ("closesAt", "must be in the future."))
                : withoutConsent.Count > 0 ? Problems.Create(HttpContext, 409, "A translation has no consent wording in its own language: add its consentText, or hide it.",
                    [.. withoutConsent.Select(l => ($"translations.{l}.consentText", "is needed: signers in this language must agree to words in it."))])
                : null;
            if (problem is not null)
            {
                await Send.ResultAsync(problem);
                return;
            }
            await letters.PublishAsync(tx, row!, User.KeyId(), now);
            await tx.CommitAsync(ct);
        }
        await Send.OkAsync(await reader.SavedAsync(HttpContext, Route<long>("id"), now, ct), ct);
    }
}

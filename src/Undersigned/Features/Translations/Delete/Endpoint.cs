using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Translations.Delete;

public sealed class Endpoint(Db db, LettersStore letters, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}/translations/{lang}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteTranslation").WithTags("Translations")
            .WithSummary("Delete a translation nobody has signed in (409 once someone has: hide it instead)")
            .Produces(204).Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (TranslationResponse.RouteLanguage(HttpContext, Route<string>("lang"), out var invalid) is not { } language)
        {
            await Send.ResultAsync(invalid!);
            return;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        var letter = await letters.FindAsync(tx, Route<long>("id"));
        var translation = letter is null ? null : await letters.TranslationAsync(tx, letter.Id, language);
        if (translation is null)
        {
            await Send.ResultAsync(letter is null ? Problems.LetterNotFound(HttpContext) : Problems.Create(HttpContext, 404, "The letter has no translation in this language."));
            return;
        }
        if (!await letters.DeleteTranslationAsync(tx, letter!.Id, translation.Language, now))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Someone has signed in this language: hide it instead (PUT with \"hidden\": true).",
                ("lang", "has signatures.")));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "translation.delete", letter.Id, details: new { language });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Translations.Put;

public sealed class Request
{
    /// <summary>The title in this language.</summary>
    public string? Title { get; set; }
    /// <summary>The letter's text in this language, in Markdown.</summary>
    public string? Body { get; set; }
    /// <summary>Optional: the target as written in this language; the primary's otherwise.</summary>
    public string? Target { get; set; }
    /// <summary>
    /// The consent wording in this language, versioned as the primary's is. Required in a language the service has no words
    /// for; in one it has (English, Welsh), its standard wording when left out.
    /// </summary>
    public string? ConsentText { get; set; }
    /// <summary>true takes it out of public view (the way to retire a translation someone has signed in).</summary>
    public bool? Hidden { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(t => t.Title).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(t => t.Body).Must(LetterHtml.IsReadable).WithMessage(LetterHtml.NestingMessage);
        RuleFor(t => t.Body).NotEmpty().MaximumLength(100_000).Must(Text.HasNoControlCharacters).WithMessage("must not contain control characters.");
        RuleFor(t => t.Target).MaximumLength(300).Must(Text.IsSingleLine).When(t => t.Target is not null).WithMessage("must be a single line of text.");
        RuleFor(t => t.ConsentText).MaximumLength(2000).Must(Text.HasNoControlCharacters!).When(t => t.ConsentText is not null)
            .WithMessage("must be up to 2000 characters of text.");
    }
}

/// <summary>
/// Creates or replaces a translation. Replacing needs If-Match with its ETag. After publishing, changed text makes a new
/// text version of the language, and any write marks it as translating the primary's current text.
/// </summary>
public sealed class Endpoint(Db db, LettersStore letters, AuditStore audit, TimeProvider clock) : Endpoint<Request, TranslationResponse>
{
    public override void Configure()
    {
        Put("/api/letters/{id:long}/translations/{lang}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("PutTranslation").WithTags("Translations")
            .WithSummary("Write the letter in another language (BCP 47 tag); If-Match to replace one")
            .WithMetadata(new RequestHeader("If-Match", "To replace a translation: the ETag from the last read of it.", Required: false))
            .Produces<TranslationResponse>().Produces<TranslationResponse>(201).Problems(400, 404, 409, 412, 428), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (TranslationResponse.RouteLanguage(HttpContext, Route<string>("lang"), out var invalid) is not { } language)
        {
            await Send.ResultAsync(invalid!);
            return;
        }
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        if (await letters.FindAsync(tx, Route<long>("id")) is not { } letter)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var existing = await letters.TranslationAsync(tx, letter.Id, language);
        var ifMatch = HttpContext.Request.Headers.IfMatch.ToString();
        var problem =
            language.Equals(letter.Language, StringComparison.OrdinalIgnoreCase)
                ? Problems.Create(HttpContext, 409, "This is the letter's own language: edit the letter itself.", ("lang", "is the letter's primary language."))
            : letter.PurgedAt is not null ? Problems.Create(HttpContext, 409, "The letter has been purged: its text no longer changes.")
            : Text.Blank(request.ConsentText) is null && Words.Of(language) is null
                ? Problems.Create(HttpContext, 400, "A translation must carry its consent wording: signers agree to words in the language they read.",
                    ("consentText", "is required in a language the service has no words of its own for."))
            : existing is not null && ifMatch.Length == 0
                ? Problems.Create(HttpContext, 428, "Send If-Match with the ETag of the translation you edited, so no one's change is lost.")
            : existing is not null && ifMatch != existing.ETag || existing is null && ifMatch.Length > 0
                ? Problems.Create(HttpContext, 412, "The translation has changed since you read it: read it again and re-apply your change.")
            : null;
        var values = new TranslationValues(language, request.Title!.Trim(), request.Body!, Text.Blank(request.Target)?.Trim(), Text.Blank(request.ConsentText) ?? Words.Of(language)?[Words.StandardConsent],
            request.Hidden ?? existing?.Hidden ?? false);
        if (problem is null && !await letters.PutTranslationAsync(tx, letter, existing, values, User.KeyId(), now))
            problem = Problems.Create(HttpContext, 412, "The translation has changed since you read it: read it again and re-apply your change.");
        if (problem is not null)
        {
            await Send.ResultAsync(problem);
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "translation.put", letter.Id, details: new { language, values.Hidden });
        var saved = (await letters.TranslationAsync(tx, letter.Id, language))!;
        await tx.CommitAsync(ct);

        HttpContext.Response.Headers.ETag = saved.ETag;
        var response = TranslationResponse.Of(saved, (await letters.FindAsync(letter.Id, ct))!, await letters.LanguageVersionsAsync(letter, ct));
        if (existing is null) HttpContext.Response.Headers.Location = $"/api/letters/{letter.Id}/translations/{language}";
        await Send.ResponseAsync(response, existing is null ? 201 : 200, ct);
    }
}

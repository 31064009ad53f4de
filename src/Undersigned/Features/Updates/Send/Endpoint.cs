using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Updates.Send;

public sealed class Request
{
    public string? Subject { get; set; }
    /// <summary>Markdown; sent as plain text with the letter's link and the unsubscribe link.</summary>
    public string? Body { get; set; }
    /// <summary>true: nothing is sent; the answer says how many it would go to.</summary>
    public bool? Preview { get; set; }
    /// <summary>By BCP 47 tag, the update in other languages: <c>{ "cy": { "subject": "…", "body": "…" } }</c>. Each signer gets the one in the language they signed in, else the update as written.</summary>
    public Dictionary<string, UpdateText>? Translations { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Subject).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage("must be a single line of 1–200 characters.");
        RuleFor(r => r.Body).Must(LetterHtml.IsReadable).WithMessage(LetterHtml.NestingMessage);
        RuleFor(r => r.Body).NotEmpty().MaximumLength(20_000).Must(Text.HasNoControlCharacters).WithMessage("must be text of at most 20,000 characters.");
        RuleFor(r => r.Translations).Must(t => t!.Count <= 50 && t.All(e => LanguageTag.Normalise(e.Key) is not null && e.Value is not null
                && e.Value.Subject is { Length: > 0 and <= 200 } && Text.IsSingleLine(e.Value.Subject)
                && e.Value.Body is { Length: > 0 and <= 20_000 } && Text.HasNoControlCharacters(e.Value.Body) && LetterHtml.IsReadable(e.Value.Body)))
            .When(r => r.Translations is not null)
            .WithMessage("must map language tags (such as cy) to a subject (one line, 1–200 characters) and a body (1–20,000 characters).");
    }
}

public sealed class Response
{
    /// <summary>The update's id; null for a preview.</summary>
    public long? Id { get; init; }
    /// <summary>How many signers it goes (or would go) to.</summary>
    public int Recipients { get; init; }
}

/// <summary>
/// Tells the signers who asked what came of the letter, through the outbox, each with a one-click unsubscribe link.
/// At most one a day (the letter's day); not for a draft or scheduled letter, nor once contact details are purged.
/// Outside the form's per-address mail caps, which protect inboxes from strangers, not from what people asked for.
/// </summary>
public sealed class Endpoint(Db db, LettersStore letters, SignaturesStore signatures, LetterUpdates updates, AuditStore audit, TimeProvider clock)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/updates");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("SendUpdate").WithTags("Updates")
            .WithSummary("Send an update to the confirmed signers who asked for them (preview: true counts them)")
            .Produces<Response>(202).Produces<Response>().Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        var problem = letter is null ? Problems.LetterNotFound(HttpContext)
            : LetterUpdates.Refusal(letter, now) is { } refusal ? Problems.Create(HttpContext, 409, refusal)
            : null;
        if (problem is not null)
        {
            await Send.ResultAsync(problem);
            return;
        }

        if (request.Preview == true)
        {
            await Send.OkAsync(new Response { Recipients = await signatures.CountUpdateRecipientsAsync(letter!.Id, ct) }, ct);
            return;
        }
        await using var tx = await db.BeginWriteAsync(ct);
        // "CY" and "cy" are one language: the first written stands.
        var translations = (request.Translations ?? []).GroupBy(t => LanguageTag.Normalise(t.Key)!)
            .ToDictionary(g => g.Key, g => g.First().Value with { Subject = g.First().Value.Subject.Trim() });
        if (await updates.SendAsync(tx, letter!, request.Subject!.Trim(), request.Body!, translations, User.KeyId(), now) is not { } sent)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, LetterUpdates.OneADay));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "update.send", letter.Id, rows: sent.Recipients, details: new { update = sent.Id, languages = translations.Keys });
        await tx.CommitAsync(ct);
        await Send.ResponseAsync(new Response { Id = sent.Id, Recipients = sent.Recipients }, 202, ct);
    }
}

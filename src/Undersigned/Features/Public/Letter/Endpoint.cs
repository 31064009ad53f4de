using System.Text.Json;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Letter;

public sealed class Request
{
    /// <summary>A BCP 47 tag: the letter in that language where it is published in it, else in its primary language.</summary>
    public string? Lang { get; set; }
}

public sealed class Response
{
    public required string Slug { get; init; }
    /// <summary>The language this answer's text is in: the one asked for where the letter has it, else the primary.</summary>
    public required string Language { get; init; }
    /// <summary><c>rtl</c> or <c>ltr</c>: how the text is laid out.</summary>
    public required string Direction { get; init; }
    /// <summary>
    /// Why the language asked for was not answered: <c>outdated</c> (its translation is being brought up to date with a
    /// change to the letter), <c>unavailable</c> (no such translation); null when it was.
    /// </summary>
    public string? Fallback { get; init; }
    /// <summary>The languages the letter can be read and signed in now, the primary first.</summary>
    public required List<PublicLanguage> Languages { get; init; }
    public required string Title { get; init; }
    /// <summary>The letter's text as written, in Markdown.</summary>
    public required string Body { get; init; }
    /// <summary>The letter's text as sanitised HTML, safe to insert into a page.</summary>
    public required string BodyHtml { get; init; }
    public required string Target { get; init; }
    /// <summary><c>scheduled</c>, <c>open</c> or <c>closed</c>.</summary>
    public required string Status { get; init; }
    public DateTimeOffset? OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public required string TimeZone { get; init; }
    /// <summary>Send this with a signature (with <c>language</c>): it says which wording the signer saw.</summary>
    public int TextVersion { get; init; }
    public required string ConsentText { get; init; }
    /// <summary><c>off</c>, <c>on</c> or <c>auto</c>.</summary>
    public required string Challenge { get; init; }
    public required PublicCounts Counts { get; init; }
    /// <summary>The partner organisations circulating the letter; the form asks for contact consent where one asks.</summary>
    public required List<PublicPartner> Partners { get; init; }
    /// <summary>What came of the letter, newest first.</summary>
    public required List<PublicOutcome> Outcomes { get; init; }
    /// <summary>Until when a signer who asks hears what happens: the letter's purge of contact details.</summary>
    public DateTimeOffset UpdatesUntil { get; init; }
    /// <summary>Who holds signers' details (the privacy notice beside the consent box names them); null: not configured.</summary>
    public string? Organisation { get; init; }
    /// <summary>The count as a reader of this language writes it, in its plural form: "1,234 signatures".</summary>
    public required string CountText { get; init; }
    /// <summary>The dates above as a reader of this language writes them (Gregorian, in the letter's time zone), for forms to show.</summary>
    public required PublicDates Dates { get; init; }
}

public sealed class PublicDates
{
    public string? OpensAt { get; init; }
    public required string ClosesAt { get; init; }
    public required string UpdatesUntil { get; init; }
}

public sealed class PublicOutcome
{
    /// <summary><c>delivered</c>, <c>response</c> or <c>other</c>.</summary>
    public required string Kind { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public required string Title { get; init; }
    /// <summary>Sanitised HTML, safe to insert into a page.</summary>
    public required string BodyHtml { get; init; }
    public string? Url { get; init; }
}

public sealed class PublicLanguage
{
    /// <summary>BCP 47 tag, as <c>?lang=</c> and a signature's <c>language</c> take it.</summary>
    public required string Language { get; init; }
    /// <summary>The language's name in itself, for a switcher.</summary>
    public required string Name { get; init; }
    public required string Direction { get; init; }
    public int TextVersion { get; init; }
}

public sealed class PublicPartner
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public bool AskContactConsent { get; init; }
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, Settings settings, OrganisationSettings organisation, TimeProvider clock)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/public/letters/{slug}");
        AllowAnonymous();
        Description(b => b.WithName("GetPublicLetter").WithTags("Public").WithSummary("A published letter with its public counts (?lang= for a translation)")
            .Produces<Response>().Produces(304).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var published = await letters.FindPublishedAsync(Route<string>("slug")!, ct);
        if (published is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }

        var letter = published.Row;
        var status = LetterStatus.Of(letter, clock.GetUtcNow());
        var (counts, listVersion) = await signatures.PublicCountsAsync(letter.Id, ct);
        var text = published.TextIn(request.Lang) ?? published.Primary;
        var fallback = request.Lang is not { Length: > 0 } || text.Language.Equals(request.Lang, StringComparison.OrdinalIgnoreCase) ? null
            : published.Translations.Any(t => !t.Hidden && t.Language.Equals(request.Lang, StringComparison.OrdinalIgnoreCase)) ? "outdated"
            : "unavailable";
        var etag = PublicCache.ETag(letter.Id, letter.RowVersion, status, listVersion, text.Language, fallback ?? "");
        if (PublicCache.IsCurrent(HttpContext, settings, etag))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        // Everything in the answer is in its ETag: a spike of reads serializes each version once. Kept beside the cached
        // letter, so it goes when the letter changes.
        var answers = Answers.GetOrCreateValue(published);
        // One answer per language and reason: what a client writes in ?lang= never becomes a key of its own.
        var key = $"{text.Language}|{fallback}";
        // The words the widget shows with this text: the language's own where the service has them, else English.
        var words = Words.Of(text.Language) ?? Words.All[Words.Default];
        if (!answers.TryGetValue(key, out var answer) || answer.ETag != etag)
            answers[key] = answer = new(etag, JsonSerializer.SerializeToUtf8Bytes(new Response
            {
                Slug = letter.Slug, Language = text.Language, Direction = text.Direction, Fallback = fallback,
                Languages = published.Texts.Select(t => new PublicLanguage
                {
                    Language = t.Language, Name = LanguageTag.NativeName(t.Language), Direction = t.Direction, TextVersion = t.TextVersion,
                }).ToList(),
                Title = text.Title, Body = text.Body, BodyHtml = text.BodyHtml,
                Target = text.Target, Status = status, OpensAt = letter.OpensAt,
                ClosesAt = letter.ClosesAt, TimeZone = letter.TimeZone, TextVersion = text.TextVersion,
                ConsentText = text.ConsentText, Challenge = letter.Challenge, Counts = counts,
                Partners = published.Partners.Values.Select(p => new PublicPartner { Code = p.Code, Name = p.Name, AskContactConsent = p.AskContactConsent }).ToList(),
                UpdatesUntil = letter.PurgeAt, Organisation = organisation.Name, Dates = DatesIn(words, letter),
                CountText = words.Plural("card.signatures", counts.Total),
                Outcomes = published.Outcomes.Select(o => new PublicOutcome
                {
                    Kind = o.Outcome.Kind, OccurredAt = o.Outcome.OccurredAt, Title = o.Outcome.Title, BodyHtml = o.BodyHtml, Url = o.Outcome.Url,
                }).ToList(),
            }, Json.Options));
        await Send.BytesAsync(answer.Body, contentType: "application/json; charset=utf-8", cancellation: ct);
    }

    /// <summary>The letter's dates in the words shown with them.</summary>
    static PublicDates DatesIn(Words words, LetterRow letter) => new()
    {
        OpensAt = letter.OpensAt is { } opens ? words.Date(opens, letter.TimeZone, withTime: true) : null,
        ClosesAt = words.Date(letter.ClosesAt, letter.TimeZone, withTime: true),
        UpdatesUntil = words.Date(letter.PurgeAt, letter.TimeZone),
    };

    sealed record Answer(string ETag, byte[] Body);

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PublishedLetter, System.Collections.Concurrent.ConcurrentDictionary<string, Answer>> Answers = new();
}

using System.Collections.Concurrent;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>
/// A published letter as the public paths need it: its body already rendered and sanitised, and the partners attached
/// now by code (a detached partner's code is not here, so it no longer signs anyone up).
/// </summary>
public sealed record PublishedLetter(LetterRow Row, string BodyHtml, IReadOnlyDictionary<string, Partners.AttachedPartner> Partners,
    IReadOnlyList<PublishedOutcome> Outcomes, IReadOnlyList<Translation> Translations)
{
    /// <summary>
    /// The sites that may embed and sign: none listed means any; otherwise the letter's and its partners' sites.
    /// </summary>
    public string[] Origins { get; } = Row.Origins.Length == 0 ? [] : [.. Row.Origins.Concat(Partners.Values.SelectMany(p => p.Origins)).Distinct()];

    /// <summary>
    /// The primary text, then each translation served now (not hidden, not outdated, with consent wording in its own
    /// language: nobody agrees to words in a language they did not choose), rendered once.
    /// </summary>
    public IReadOnlyList<LetterText> Texts { get; } =
    [
        new(Row.Language, Row.Title, Row.Target, Row.Body, BodyHtml, Row.ConsentText, Row.ConsentVersion, null, Row.TextVersion ?? 1),
        .. Translations.Where(t => !t.Hidden && !t.IsOutdated(Row) && t.Consent is not null).OrderBy(t => t.Language, StringComparer.Ordinal)
            .Select(t => new LetterText(t.Language, t.Title, t.Target ?? Row.Target, t.Body, LetterHtml.Render(t.Body, Row.Id), t.Consent!.Value.Text,
                t.Consent.Value.Version, t.Language, t.TextVersion ?? 1)),
    ];

    /// <summary>The text in <paramref name="language"/> if it is served, else null.</summary>
    public LetterText? TextIn(string? language)
        => Texts.FirstOrDefault(t => string.Equals(t.Language, language, StringComparison.OrdinalIgnoreCase));

    public LetterText Primary => Texts[0];
}

/// <summary>
/// What a reader of one language sees of a letter, and what a signature in it records: the text version, and the consent
/// wording's language (null: the primary's) and version.
/// </summary>
public sealed record LetterText(string Language, string Title, string Target, string Body, string BodyHtml, string ConsentText, int ConsentVersion,
    string? ConsentLanguage, int TextVersion)
{
    public string Direction => LanguageTag.Direction(Language);
}

/// <summary>An outcome as the public sees it, its Markdown rendered and sanitised once.</summary>
public sealed record PublishedOutcome(Outcome Outcome, string BodyHtml);

/// <summary>
/// Published letters by slug, kept in memory: every signature and public read needs one, and letters change rarely.
/// Only <see cref="LettersStore"/> holds one, and it forgets after every committed change to a letter.
/// </summary>
sealed class LetterCache
{
    readonly ConcurrentDictionary<string, PublishedLetter> letters = new();
    long generation;

    public async Task<PublishedLetter?> GetAsync(string slug,
        Func<Task<(LetterRow Row, Partners.AttachedPartner[] Partners, Outcome[] Outcomes, Translation[] Translations)?>> load)
    {
        if (letters.TryGetValue(slug, out var cached)) return cached;
        var readIn = Interlocked.Read(ref generation);
        if (await load() is not { } loaded) return null; // not cached: a draft may be published any moment
        var letter = new PublishedLetter(loaded.Row, LetterHtml.Render(loaded.Row.Body, loaded.Row.Id), loaded.Partners.ToDictionary(p => p.Code),
            loaded.Outcomes.Select(o => new PublishedOutcome(o, LetterHtml.Render(o.Body, loaded.Row.Id))).ToList(), loaded.Translations);
        // A read that raced a change must not put the old letter back after Forget.
        if (Interlocked.Read(ref generation) == readIn) letters[slug] = letter;
        return letter;
    }

    public void Forget()
    {
        Interlocked.Increment(ref generation);
        letters.Clear();
    }
}

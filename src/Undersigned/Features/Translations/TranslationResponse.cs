using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Translations;

/// <summary>A translation as staff read it, with its text versions.</summary>
public sealed class TranslationResponse
{
    /// <summary>BCP 47 tag.</summary>
    public required string Language { get; init; }
    /// <summary>Written right to left (<c>rtl</c>) or left to right (<c>ltr</c>).</summary>
    public required string Direction { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    /// <summary>Null: the primary's target is shown.</summary>
    public string? Target { get; init; }
    /// <summary>The consent wording signers in this language agree to (null only in translations written before each carried its own).</summary>
    public string? ConsentText { get; init; }
    /// <summary>The consent wording's version in this language: each signature in it records the one it was shown.</summary>
    public int? ConsentVersion { get; init; }
    /// <summary>The primary text version this translates; null while the letter is a draft (then: the text as published).</summary>
    public int? BasedOnVersion { get; init; }
    /// <summary>This language's current text version; null while the letter is a draft.</summary>
    public int? TextVersion { get; init; }
    /// <summary>The primary text changed since this was written: it is not served (the primary is) until it is updated.</summary>
    public bool Outdated { get; init; }
    public bool Hidden { get; init; }
    public required LanguageVersion[] TextVersions { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static TranslationResponse Of(Translation t, LetterRow letter, IEnumerable<LanguageVersion> versions) => new()
    {
        Language = t.Language, Direction = LanguageTag.Direction(t.Language), Title = t.Title, Body = t.Body, Target = t.Target,
        ConsentText = t.ConsentText, ConsentVersion = t.ConsentVersion, BasedOnVersion = t.BasedOnVersion, TextVersion = t.TextVersion, Outdated = t.IsOutdated(letter), Hidden = t.Hidden,
        TextVersions = versions.Where(v => v.Language == t.Language).ToArray(), CreatedAt = t.CreatedAt, UpdatedAt = t.UpdatedAt,
    };

    /// <summary>The route's language tag, normalised; null (after answering 400) when it is not one.</summary>
    public static string? RouteLanguage(HttpContext http, string? route, out Problem? problem)
    {
        var tag = LanguageTag.Normalise(route);
        problem = tag is null ? Problems.Create(http, 400, "The address names no language.", ("lang", LanguageTag.Message)) : null;
        return tag;
    }
}

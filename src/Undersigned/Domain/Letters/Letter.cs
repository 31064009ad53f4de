using System.Security.Cryptography;
using System.Text.Json;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

public static class LetterStatus
{
    public const string Draft = "draft", Scheduled = "scheduled", Open = "open", Closed = "closed";

    /// <summary>Open and closed follow from the clock, so a letter closes at <c>closesAt</c> even if nothing runs then.</summary>
    public static string Of(LetterRow letter, DateTimeOffset now)
        => letter.PublishedAt is null ? Draft
            : now >= letter.ClosesAt ? Closed
            : letter.OpensAt > now ? Scheduled
            : Open;
}

public static partial class LetterSlug
{
    public const int MaxLength = 80;

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    public static partial System.Text.RegularExpressions.Regex Pattern();

    /// <summary>Lower-case letters, digits and single hyphens, at most 80 characters: the only slugs a letter can have.</summary>
    public static bool IsWellFormed(string? slug) => slug is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(slug);
}

public static class Moderation
{
    public const string None = "none", Organisations = "organisations", All = "all";
    public static readonly string[] Values = [None, Organisations, All];

    /// <summary>Whether a confirmed signature waits for staff: held as suspicious, or the letter reviews its kind.</summary>
    public static bool Reviews(string moderation, string kind, bool held)
        => held || moderation == All || (moderation == Organisations && kind == Signatures.SignatureKind.Organisation);
}

public static class ChallengeMode
{
    public const string Off = "off", On = "on", Auto = "auto";
    public static readonly string[] Values = [Off, On, Auto];
}

/// <summary>What staff set on a letter, as stored.</summary>
public sealed record LetterValues(
    string Slug, string Title, string Body, string Target, DateTimeOffset? OpensAt, DateTimeOffset ClosesAt, string TimeZone,
    string Moderation, string[] AllowedOrigins, int RetainContactDays, string Challenge, string ConsentText, long[] Milestones, string? NotifyEmail,
    string Language);

public sealed class LetterRow
{
    public long Id { get; init; }
    public string Slug { get; init; } = "";
    public string Title { get; init; } = "";
    public string Body { get; init; } = "";
    public string Target { get; init; } = "";
    public DateTimeOffset? OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public string TimeZone { get; init; } = "";
    public string Moderation { get; init; } = "";
    public string AllowedOrigins { get; init; } = "[]";
    public int RetainContactDays { get; init; }
    public string Challenge { get; init; } = "";
    public string ConsentText { get; init; } = "";
    public int? TextVersion { get; init; }
    public int ConsentVersion { get; init; }
    public long RowVersion { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset? PurgedAt { get; init; }
    /// <summary>The milestone thresholds as set, a JSON array (reached ones are in letter_milestones).</summary>
    public string Milestones { get; init; } = "[]";
    /// <summary>Where milestone emails go: a staff address, never a signer's.</summary>
    public string? NotifyEmail { get; init; }
    /// <summary>The primary language's BCP 47 tag: translations translate the text in it.</summary>
    public string Language { get; init; } = "en";

    long[]? thresholds;
    public long[] Thresholds => thresholds ??= JsonSerializer.Deserialize<long[]>(Milestones)!;

    string[]? origins;
    /// <summary>Parsed once per row: cached rows answer every signing request.</summary>
    public string[] Origins => origins ??= JsonSerializer.Deserialize<string[]>(AllowedOrigins)!;
    public string ETag => $"\"{RowVersion}\"";
    public DateTimeOffset PurgeAt => ClosesAt.AddDays(RetainContactDays);
}

public sealed class TextVersion
{
    public int Version { get; init; }
    /// <summary>SHA-256 (hex) of the UTF-8 JSON array <c>[title, target, body]</c>.</summary>
    public string Sha256 { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }

    public static string Hash(string title, string target, string body)
        => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new[] { title, target, body })));
}

/// <summary>A letter's text in one language other than its primary.</summary>
public sealed class Translation
{
    public long LetterId { get; init; }
    public string Language { get; init; } = "";
    public string Title { get; init; } = "";
    public string Body { get; init; } = "";
    /// <summary>Null: the primary's target.</summary>
    public string? Target { get; init; }
    /// <summary>
    /// The consent wording in this language, versioned (<see cref="ConsentVersion"/>). Null only for a translation written
    /// before each carried its own: in a language the service has words for, its standard wording; in another, it is not shown.
    /// </summary>
    public string? ConsentText { get; init; }
    public int? ConsentVersion { get; init; }
    /// <summary>The primary text version this translates; null while the letter is a draft (then: the text as published).</summary>
    public int? BasedOnVersion { get; init; }
    /// <summary>This language's text version; null while the letter is a draft.</summary>
    public int? TextVersion { get; init; }
    /// <summary>Taken out of public view (a translation someone signed in is hidden, not deleted).</summary>
    public bool Hidden { get; init; }
    public long RowVersion { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public string ETag => $"\"{RowVersion}\"";

    /// <summary>The consent wording signers in this language are shown, and its version (0: the service's standard wording, as it was).</summary>
    public (string Text, int Version)? Consent
        => ConsentText is { } text ? (text, ConsentVersion ?? 1) : Words.Of(Language) is { } words ? (words[Words.StandardConsent], 0) : null;

    /// <summary>The primary text changed since this was last written: not served until staff update it.</summary>
    public bool IsOutdated(LetterRow letter) => BasedOnVersion is { } basedOn && letter.TextVersion is { } current && basedOn < current;
}

public sealed record TranslationValues(string Language, string Title, string Body, string? Target, string? ConsentText, bool Hidden);

/// <summary>A text version of one language: the primary's, or a translation's (with the primary version it translates).</summary>
public sealed class LanguageVersion
{
    public string Language { get; init; } = "";
    public int Version { get; init; }
    public string Sha256 { get; init; } = "";
    /// <summary>For a translation: the primary text version it translates.</summary>
    public int? BasedOnVersion { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Confirmed signatures in one language: the number from 10 up, otherwise only that there are fewer than 10.</summary>
public sealed record LanguageCount(string Language, long? Confirmed, int? FewerThan)
{
    public const int Threshold = 10;

    public static List<LanguageCount>? Of(IEnumerable<(string Language, long Count)> counts, bool hasTranslations)
        => hasTranslations
            ? counts.OrderByDescending(c => c.Count).ThenBy(c => c.Language, StringComparer.Ordinal)
                .Select(c => c.Count >= Threshold ? new LanguageCount(c.Language, c.Count, null) : new LanguageCount(c.Language, null, Threshold)).ToList()
            : null;
}

public static class DeadlineChangeKind
{
    public const string Moved = "moved", Extended = "extended", Shortened = "shortened", Reopened = "reopened", Closed = "closed";
}

public sealed class DeadlineChange
{
    /// <summary><c>moved</c> (while draft), <c>extended</c>, <c>shortened</c>, <c>reopened</c> or <c>closed</c>.</summary>
    public string Change { get; init; } = "";
    public DateTimeOffset OldClosesAt { get; init; }
    public DateTimeOffset NewClosesAt { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
    /// <summary>The id of the API key that made the change.</summary>
    public long ChangedBy { get; init; }
}

public sealed class Milestone
{
    public long Threshold { get; init; }
    /// <summary>When the confirmed count first met the threshold.</summary>
    public DateTimeOffset ReachedAt { get; init; }
}

/// <summary>What came of a letter, as staff recorded it.</summary>
public sealed class Outcome
{
    public long Id { get; init; }
    /// <summary><c>delivered</c>, <c>response</c> or <c>other</c>.</summary>
    public string Kind { get; init; } = "";
    public DateTimeOffset OccurredAt { get; init; }
    public string Title { get; init; } = "";
    /// <summary>Markdown.</summary>
    public string Body { get; init; } = "";
    public string? Url { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public static class OutcomeKind
{
    public const string Delivered = "delivered", Response = "response", Other = "other";
    public static readonly string[] All = [Delivered, Response, Other];
}

public sealed record OutcomeValues(string Kind, DateTimeOffset OccurredAt, string Title, string Body, string? Url);

/// <summary>An update sent to the signers who asked for them.</summary>
public sealed class LetterUpdate
{
    public long Id { get; init; }
    /// <summary>The day it was sent, in the letter's time zone (one a day).</summary>
    public string LocalDay { get; init; } = "";
    public string Subject { get; init; } = "";
    public string Body { get; init; } = "";
    public long Recipients { get; init; }
    public DateTimeOffset SentAt { get; init; }
    /// <summary>The id of the key that sent it.</summary>
    public long SentBy { get; init; }
}

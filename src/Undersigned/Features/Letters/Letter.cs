using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using FastEndpoints;
using FluentValidation;
using Microsoft.Data.Sqlite;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters;

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

/// <summary>The fields staff write: the body of a create, and the document a merge patch applies to.</summary>
public class LetterFields
{
    public const string DefaultTimeZone = "Europe/London";
    public const string DefaultConsentText =
        "I agree that the organisers may store my name, the details I give and my email address to confirm my signature, " +
        "and may show my signature as I chose. I can withdraw at any time with the link in my confirmation email.";
    public static readonly string[] Moderations = ["none", "organisations", "all"];
    public static readonly string[] Challenges = ["off", "on", "auto"];

    /// <summary>The letter's title, shown to signers and in the delivery pack.</summary>
    public string? Title { get; set; }
    /// <summary>The letter's text, in Markdown.</summary>
    public string? Body { get; set; }
    /// <summary>Who the letter is addressed to, such as a minister.</summary>
    public string? Target { get; set; }
    /// <summary>When signing opens; absent means as soon as it is published.</summary>
    public DateTimeOffset? OpensAt { get; set; }
    /// <summary>When signing closes.</summary>
    public DateTimeOffset? ClosesAt { get; set; }
    /// <summary>IANA time zone the letter's dates are shown in (default Europe/London).</summary>
    public string? TimeZone { get; set; }
    /// <summary>URL-safe name in public links; made from the title when absent. Changes only while draft.</summary>
    public string? Slug { get; set; }
    /// <summary><c>none</c>, <c>organisations</c> or <c>all</c>: which confirmed signatures wait for staff approval. Changes only while draft.</summary>
    public string? Moderation { get; set; }
    /// <summary>Origins (<c>scheme://host[:port]</c>) whose pages may embed the widget and sign; empty means any.</summary>
    public string[]? AllowedOrigins { get; set; }
    /// <summary>Days after closing that signers' contact details are kept (default 90).</summary>
    public int? RetainContactDays { get; set; }
    /// <summary><c>off</c>, <c>on</c> or <c>auto</c>: whether signing needs a proof-of-work challenge.</summary>
    public string? Challenge { get; set; }
    /// <summary>The consent wording signers agree to.</summary>
    public string? ConsentText { get; set; }

    public static LetterFields From(LetterRow row) => new()
    {
        Title = row.Title, Body = row.Body, Target = row.Target, OpensAt = row.OpensAt, ClosesAt = row.ClosesAt,
        TimeZone = row.TimeZone, Slug = row.Slug, Moderation = row.Moderation, AllowedOrigins = row.Origins,
        RetainContactDays = row.RetainContactDays, Challenge = row.Challenge, ConsentText = row.ConsentText,
    };

    /// <summary>Fills what was left out (or cleared with null) and brings origins to one spelling.</summary>
    public void ApplyDefaults()
    {
        TimeZone ??= DefaultTimeZone;
        Moderation ??= "none";
        Challenge ??= "off";
        ConsentText ??= DefaultConsentText;
        RetainContactDays ??= 90;
        AllowedOrigins = (AllowedOrigins ?? []).Select(o => Origin.Normalise(o)!).Distinct().ToArray();
    }
}

/// <summary>Rules a letter's fields obey whether created or patched.</summary>
public class LetterFieldsValidator<T> : Validator<T> where T : LetterFields
{
    public LetterFieldsValidator()
    {
        RuleFor(l => l.Title).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(l => l.Body).NotEmpty().MaximumLength(100_000).Must(Text.HasNoControlCharacters)
            .WithMessage("must not contain control characters.");
        RuleFor(l => l.Target).NotEmpty().MaximumLength(300).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(l => l.ClosesAt).NotNull();
        RuleFor(l => l.OpensAt).LessThan(l => l.ClosesAt).When(l => l.OpensAt is not null && l.ClosesAt is not null)
            .WithMessage("must be before closesAt.");
        RuleFor(l => l.TimeZone).Must(IsIanaTimeZone!).When(l => l.TimeZone is not null)
            .WithMessage("must be an IANA time zone such as Europe/London.");
        RuleFor(l => l.Slug).MaximumLength(80).Matches("^[a-z0-9]+(-[a-z0-9]+)*$").When(l => l.Slug is not null)
            .WithMessage("must be lower-case letters, digits and single hyphens, such as 'protect-data-2026'.");
        RuleFor(l => l.Moderation).Must(Moderations.Contains!).When(l => l.Moderation is not null)
            .WithMessage("must be one of: none, organisations, all.");
        RuleFor(l => l.Challenge).Must(Challenges.Contains!).When(l => l.Challenge is not null)
            .WithMessage("must be one of: off, on, auto.");
        RuleFor(l => l.AllowedOrigins).Must(o => o!.Length <= 50).When(l => l.AllowedOrigins is not null)
            .WithMessage("must list at most 50 origins.");
        RuleForEach(l => l.AllowedOrigins).Must(o => Origin.Normalise(o) is not null)
            .WithMessage("must be an origin: scheme://host[:port], with no path.");
        RuleFor(l => l.RetainContactDays).InclusiveBetween(1, 3650);
        RuleFor(l => l.ConsentText).NotEmpty().MaximumLength(2000).Must(Text.HasNoControlCharacters!)
            .When(l => l.ConsentText is not null).WithMessage("must be 1–2000 characters of text.");
    }

    static string[] Moderations => LetterFields.Moderations;
    static string[] Challenges => LetterFields.Challenges;

    static bool IsIanaTimeZone(string id)
        => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId && zone.Id == id;
}

public static class Origin
{
    /// <summary>A browser's Origin must be listed when the letter lists any; requests without one (not from a browser page) pass.</summary>
    public static bool IsAllowed(string? origin, string[] allowed, string? own = null)
        => allowed.Length == 0 || string.IsNullOrEmpty(origin) || Normalise(origin) is { } o && (allowed.Contains(o) || o == own);

    /// <summary>The origin in one spelling (lower case, default port dropped), or null when it is not an origin.</summary>
    public static string? Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0) return null;
        if (uri.AbsolutePath != "/" || text.TrimEnd().EndsWith('/')) return null;
        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}

public static class Text
{
    public static bool HasNoControlCharacters(string? text)
        => text is null || !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    public static bool IsSingleLine(string? text) => text is null || !text.Any(char.IsControl);

    /// <summary>A slug from a title: accents dropped, anything else that is not a letter or digit becomes a hyphen.</summary>
    public static string Slugify(string title)
    {
        var builder = new StringBuilder();
        foreach (var c in title.Normalize(NormalizationForm.FormKD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        if (slug.Length > 60) slug = slug[..60].TrimEnd('-');
        return slug.Length == 0 ? "letter" : slug;
    }
}

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

    string[]? origins;
    /// <summary>Parsed once per row: cached rows answer every signing request.</summary>
    public string[] Origins => origins ??= JsonSerializer.Deserialize<string[]>(AllowedOrigins)!;
    public string ETag => $"\"{RowVersion}\"";
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

public sealed class LetterResponse
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    /// <summary><c>draft</c>, <c>scheduled</c>, <c>open</c> or <c>closed</c>.</summary>
    public required string Status { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    public required string Target { get; init; }
    public DateTimeOffset? OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public required string TimeZone { get; init; }
    public required string Moderation { get; init; }
    public required string[] AllowedOrigins { get; init; }
    public int RetainContactDays { get; init; }
    public required string Challenge { get; init; }
    public required string ConsentText { get; init; }
    /// <summary>The version of the consent wording; each change makes a new one, and each signature records the one it agreed to.</summary>
    public int ConsentVersion { get; init; }
    /// <summary>The current text version; null while draft.</summary>
    public int? TextVersion { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public required TextVersion[] TextVersions { get; init; }
    public required DeadlineChange[] DeadlineHistory { get; init; }
    /// <summary>Signatures per status: pending, review, confirmed, rejected, withdrawn, expired.</summary>
    public required Dictionary<string, long> Counts { get; init; }
}

/// <summary>Queries every letter endpoint shares.</summary>
public static class LetterData
{
    public static Task<bool> ExistsAsync(SqliteConnection connection, long id)
        => connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM letters WHERE id = @id)", new { id });

    public static Task<LetterRow?> FindAsync(SqliteConnection connection, long id, SqliteTransaction? tx = null)
        => connection.QuerySingleOrDefaultAsync<LetterRow>("SELECT * FROM letters WHERE id = @id", new { id }, tx);

    /// <summary>The letter as saved, with its new ETag set on the response.</summary>
    public static async Task<LetterResponse> ReloadAsync(SqliteConnection connection, HttpContext http, long id, DateTimeOffset now)
    {
        var saved = (await FindAsync(connection, id))!;
        http.Response.Headers.ETag = saved.ETag;
        return await ToResponseAsync(connection, saved, now);
    }

    public static async Task<LetterResponse> ToResponseAsync(SqliteConnection connection, LetterRow row, DateTimeOffset now)
        => (await ToResponsesAsync(connection, [row], now))[0];

    public static async Task<List<LetterResponse>> ToResponsesAsync(SqliteConnection connection, IReadOnlyList<LetterRow> rows, DateTimeOffset now)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var versions = (await connection.QueryAsync<(long LetterId, int Version, string Sha256, DateTimeOffset CreatedAt)>(
                "SELECT letter_id, version, sha256, created_at FROM letter_text_versions WHERE letter_id IN @ids ORDER BY version", new { ids }))
            .ToLookup(v => v.LetterId, v => new TextVersion { Version = v.Version, Sha256 = v.Sha256, CreatedAt = v.CreatedAt });
        var history = (await connection.QueryAsync<DeadlineChangeRow>(
                "SELECT letter_id, change AS change_kind, old_closes_at, new_closes_at, reason, changed_at, changed_by FROM letter_deadline_changes WHERE letter_id IN @ids ORDER BY id", new { ids }))
            .ToLookup(h => h.LetterId, h => h.Change);

        var counts = (await connection.QueryAsync<(long LetterId, string Status, long Count)>(
                "SELECT letter_id, status, sum(count) FROM signature_counts WHERE letter_id IN @ids GROUP BY letter_id, status", new { ids }))
            .ToLookup(c => c.LetterId);

        return rows.Select(row => new LetterResponse
        {
            Id = row.Id, Slug = row.Slug, Status = LetterStatus.Of(row, now), Title = row.Title, Body = row.Body,
            Target = row.Target, OpensAt = row.OpensAt, ClosesAt = row.ClosesAt, TimeZone = row.TimeZone,
            Moderation = row.Moderation, AllowedOrigins = row.Origins, RetainContactDays = row.RetainContactDays,
            Challenge = row.Challenge, ConsentText = row.ConsentText, ConsentVersion = row.ConsentVersion, TextVersion = row.TextVersion,
            CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt, PublishedAt = row.PublishedAt,
            TextVersions = versions[row.Id].ToArray(), DeadlineHistory = history[row.Id].ToArray(),
            Counts = Signing.SignatureStatus.All.ToDictionary(s => s, s => counts[row.Id].Where(c => c.Status == s).Sum(c => c.Count)),
        }).ToList();
    }

    sealed class DeadlineChangeRow
    {
        public long LetterId { get; init; }
        public DeadlineChange Change => new()
        {
            Change = ChangeKind, OldClosesAt = OldClosesAt, NewClosesAt = NewClosesAt, Reason = Reason, ChangedAt = ChangedAt, ChangedBy = ChangedBy,
        };
        public string ChangeKind { get; init; } = "";
        public DateTimeOffset OldClosesAt { get; init; }
        public DateTimeOffset NewClosesAt { get; init; }
        public string? Reason { get; init; }
        public DateTimeOffset ChangedAt { get; init; }
        public long ChangedBy { get; init; }
    }

    public static Task RecordDeadlineChangeAsync(SqliteConnection connection, SqliteTransaction tx, long letterId, string change,
        DateTimeOffset oldClosesAt, DateTimeOffset newClosesAt, string? reason, DateTimeOffset now, long keyId)
        => connection.ExecuteAsync("""
            INSERT INTO letter_deadline_changes (letter_id, change, old_closes_at, new_closes_at, reason, changed_at, changed_by)
            VALUES (@letterId, @change, @oldClosesAt, @newClosesAt, @reason, @now, @keyId)
            """, new { letterId, change, oldClosesAt, newClosesAt, reason, now, keyId }, tx);

    public static Task AddTextVersionAsync(SqliteConnection connection, SqliteTransaction tx, long letterId, int version,
        string title, string target, string body, DateTimeOffset now, long keyId)
        => connection.ExecuteAsync("""
            INSERT INTO letter_text_versions (letter_id, version, title, body, target, sha256, created_at, created_by)
            VALUES (@letterId, @version, @title, @body, @target, @sha256, @now, @keyId)
            """, new { letterId, version, title, body, target, sha256 = TextVersion.Hash(title, target, body), now, keyId }, tx);

    public static Task AddConsentVersionAsync(SqliteConnection connection, SqliteTransaction tx, long letterId, int version, string text, DateTimeOffset now)
        => connection.ExecuteAsync(
            "INSERT INTO letter_consent_versions (letter_id, version, text, created_at) VALUES (@letterId, @version, @text, @now)",
            new { letterId, version, text, now }, tx);

    /// <summary>A free slug: the wanted one, or with -2, -3… appended when it was generated rather than chosen.</summary>
    public static async Task<string?> FreeSlugAsync(SqliteConnection connection, string wanted, bool generated, SqliteTransaction? tx = null)
    {
        var taken = (await connection.QueryAsync<string>("SELECT slug FROM letters WHERE slug = @wanted OR slug LIKE @pattern",
            new { wanted, pattern = wanted + "-%" }, tx)).ToHashSet();
        if (!taken.Contains(wanted)) return wanted;
        if (!generated) return null;
        for (var n = 2; ; n++)
            if (!taken.Contains($"{wanted}-{n}")) return $"{wanted}-{n}";
    }
}

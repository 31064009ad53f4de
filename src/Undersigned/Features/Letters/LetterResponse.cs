using Undersigned.Domain.Letters;

namespace Undersigned.Features.Letters;

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
    /// <summary>Emails to signers that a mail server refused for good (unknown address, say): not retried.</summary>
    public long UndeliverableEmails { get; init; }
    /// <summary>Confirmed counts staff are told of, as set.</summary>
    public required long[] Milestones { get; init; }
    /// <summary>The milestones passed so far, with when each was first reached (announced once).</summary>
    public required Milestone[] ReachedMilestones { get; init; }
    /// <summary>Where milestone emails go.</summary>
    public string? NotifyEmail { get; init; }
    /// <summary>The primary language's BCP 47 tag.</summary>
    public required string Language { get; init; }
    /// <summary>
    /// For a letter with translations: confirmed signatures per language signed in (staff only; a language can stand in
    /// for national origin), below 10 shown only as "fewer than 10". Null without translations.
    /// </summary>
    public List<LanguageCount>? LanguageCounts { get; init; }
    /// <summary>What to paste into a partner's site, and the letter page's address to share.</summary>
    public required EmbedSnippets Embed { get; init; }
}

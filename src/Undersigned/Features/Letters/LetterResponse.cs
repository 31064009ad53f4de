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
}

/// <summary>Letters as staff read them: with text versions, deadline history, counts per status and undeliverable mail.</summary>
public sealed class LetterReader(LettersStore letters, SignaturesStore signatures, OutboxStore outbox)
{
    public async Task<List<LetterResponse>> ListAsync(IReadOnlyList<LetterRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToArray();
        var histories = await letters.HistoriesAsync(ids, ct);
        var counts = await signatures.CountsByStatusAsync(ids, ct);
        var undeliverable = await outbox.UndeliverableAsync(ids, ct);
        var reached = await letters.ReachedMilestonesAsync(ids, ct);
        var translated = await letters.TranslatedAsync(ids, ct);
        var byLanguage = await signatures.ConfirmedByLanguageAsync([.. translated], ct);
        return rows.Select(row => new LetterResponse
        {
            Id = row.Id, Slug = row.Slug, Status = LetterStatus.Of(row, now), Title = row.Title, Body = row.Body,
            Target = row.Target, OpensAt = row.OpensAt, ClosesAt = row.ClosesAt, TimeZone = row.TimeZone,
            Moderation = row.Moderation, AllowedOrigins = row.Origins, RetainContactDays = row.RetainContactDays,
            Challenge = row.Challenge, ConsentText = row.ConsentText, ConsentVersion = row.ConsentVersion, TextVersion = row.TextVersion,
            CreatedAt = row.CreatedAt, UpdatedAt = row.UpdatedAt, PublishedAt = row.PublishedAt,
            TextVersions = histories[row.Id].TextVersions, DeadlineHistory = histories[row.Id].DeadlineHistory,
            Counts = SignatureStatus.All.ToDictionary(s => s, s => counts[row.Id].Where(c => c.Status == s).Sum(c => c.Count)),
            UndeliverableEmails = undeliverable.GetValueOrDefault(row.Id),
            Milestones = row.Thresholds, ReachedMilestones = reached.GetValueOrDefault(row.Id, []), NotifyEmail = row.NotifyEmail,
            Language = row.Language, LanguageCounts = LanguageCount.Of(byLanguage[row.Id], translated.Contains(row.Id)),
        }).ToList();
    }

    public async Task<LetterResponse> OfAsync(LetterRow row, DateTimeOffset now, CancellationToken ct) => (await ListAsync([row], now, ct))[0];

    /// <summary>The letter as saved, with its new ETag set on the response.</summary>
    public async Task<LetterResponse> SavedAsync(HttpContext http, long id, DateTimeOffset now, CancellationToken ct)
    {
        var saved = (await letters.FindAsync(id, ct))!;
        http.Response.Headers.ETag = saved.ETag;
        return await OfAsync(saved, now, ct);
    }
}

using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters;

/// <summary>Letters as staff read them: with text versions, deadline history, counts per status and undeliverable mail.</summary>
public sealed class LetterReader(LettersStore letters, SignaturesStore signatures, OutboxStore outbox, PublicUrls urls)
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
            Embed = EmbedSnippets.For(urls.Base, urls.Origin ?? urls.Base, row.Slug),
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

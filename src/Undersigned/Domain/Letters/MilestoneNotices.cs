using Undersigned.Domain.Outbox;

namespace Undersigned.Domain.Letters;

/// <summary>
/// After a signature starts to count (confirmed, approved, or added by staff), in the same transaction: marks the
/// milestones the letter has now passed, queues one email to its notify address for all of them together, and a
/// <c>letter.milestone</c> webhook event for each.
/// </summary>
public sealed class MilestoneNotices(LettersStore letters, LetterKeys letterKeys, OutboxStore outbox, WebhooksStore webhooks)
{
    public async Task CountedAsync(WriteTransaction tx, LetterRow letter, DateTimeOffset now)
    {
        if (letter.Thresholds.Length == 0) return; // most letters: no query on the signing path
        var reached = await letters.ReachMilestonesAsync(tx, letter.Id, now);
        foreach (var milestone in reached) await webhooks.LetterEventAsync(tx, WebhookEvent.LetterMilestone, letter.Id, new { milestone }, now);
        if (reached.Length == 0 || letter.NotifyEmail is not { } to) return;
        var key = await letterKeys.GetAsync(tx, letter.Id);
        if (key is null) return;
        await outbox.AddAsync(tx, letter.Id, null, key,
            new Email(EmailKind.Milestone, to, null, null, Summary: string.Join(", ", reached.Select(t => t.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))))), now);
    }
}

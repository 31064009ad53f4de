using Undersigned.Domain.Outbox;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>
/// Once signatures have started to count (confirmed, approved, or added by staff), in the same transaction, once per
/// letter: marks the milestones the letter has now passed, queues one email to its notify address for all of them
/// together, and a <c>letter.milestone</c> webhook event for each. Only the signatures store calls it.
/// </summary>
public sealed class MilestoneNotices(LettersStore letters, LetterKeys letterKeys, OutboxStore outbox, WebhooksStore webhooks, ILogger<MilestoneNotices> log)
{
    /// <summary>
    /// In a savepoint of its own: should it fail, the signatures are still committed, and the milestone is found at the
    /// next count (the check compares counts with thresholds, it does not count events).
    /// </summary>
    public async Task CheckAsync(WriteTransaction tx, long letterId, DateTimeOffset now)
    {
        try
        {
            await tx.InSavepointAsync(async () =>
            {
                if (await letters.FindAsync(tx, letterId) is { } letter) await CountedAsync(tx, letter, now);
                return true;
            });
        }
        catch (System.Data.Common.DbException e) when (tx.Connection.State == System.Data.ConnectionState.Open)
        {
            log.LogError("The milestone check for letter {LetterId} failed: {Error}", letterId, e.GetType().Name);
        }
    }

    async Task CountedAsync(WriteTransaction tx, LetterRow letter, DateTimeOffset now)
    {
        if (letter.Thresholds.Length == 0) return;
        var reached = await letters.ReachMilestonesAsync(tx, letter.Id, now);
        foreach (var milestone in reached) await webhooks.LetterEventAsync(tx, WebhookEvent.LetterMilestone, letter.Id, new { milestone }, now);
        if (reached.Length == 0 || letter.NotifyEmail is not { } to) return;
        var key = await letterKeys.GetAsync(tx, letter.Id);
        if (key is null) return;
        await outbox.AddAsync(tx, letter.Id, null, key,
            new Email(EmailKind.Milestone, to, null, null, Summary: string.Join(", ", reached.Select(t => t.ToString("N0", System.Globalization.CultureInfo.GetCultureInfo("en-GB"))))), now);
    }
}

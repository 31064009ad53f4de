using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Letters;

/// <summary>Milestones: staff hear once when a letter's confirmed count passes a threshold.</summary>
public sealed class MilestonesTests : SmtpAppTest
{
    const string Staff = "campaigns@example.org";

    async Task ConfirmAsync(JsonObject letter, string email)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, Signer.Individual(email))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"))).StatusCode);
    }

    /// <summary>Every email queued before this one has gone: the outbox sends in the order it was queued.</summary>
    async Task MailDrainedAsync(JsonObject letter, string marker)
    {
        await app.Anonymous().SignAsync(letter, Signer.Individual(marker));
        await smtp.WaitForMailAsync(marker);
    }

    async Task<long[]> ReachedAsync(JsonObject letter)
        => (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["reachedMilestones"]!.AsArray()
            .Select(m => (long)m!["threshold"]!).ToArray();

    [Fact]
    public async Task Passing_a_threshold_emails_staff_once_and_later_signatures_dips_and_re_crossings_never_again()
    {
        var letter = await app.CreatePublishedLetterAsync(new { milestones = new[] { 3, 2 }, notifyEmail = Staff });
        await ConfirmAsync(letter, "one@example.org");
        await ConfirmAsync(letter, "two@example.org");
        var mail = await smtp.WaitForMailAsync(Staff);
        Assert.Contains(letter["title"]!.ToString(), mail.Subject);
        Assert.Contains("has passed 2 confirmed signatures", mail.TextBody);

        await ConfirmAsync(letter, "three@example.org");
        Assert.Contains("has passed 3 confirmed signatures", (await smtp.WaitForMailAsync(Staff, 2)).TextBody);

        // A withdrawal dips the count below 3; the next confirmation passes 3 again, silently.
        var withdraw = Signer.TokenFrom(smtp.Messages().Single(m => m.To.ToString() == "three@example.org"), "withdraw");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().WithdrawAsync(withdraw)).StatusCode);
        await ConfirmAsync(letter, "four@example.org");
        await ConfirmAsync(letter, "five@example.org");
        await MailDrainedAsync(letter, "marker@example.org");
        Assert.Equal(2, smtp.CountTo(Staff));
        var reached = await ReachedAsync(letter);
        Assert.Equal([2L, 3L], reached);
    }

    [Fact]
    public async Task A_milestone_set_at_or_below_the_count_is_marked_reached_without_an_email_and_approval_and_staff_adds_count()
    {
        var letter = await app.CreatePublishedLetterAsync(new { moderation = "all", notifyEmail = Staff });
        var admin = app.Admin();
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "individual", name = "On Paper", showName = true })).StatusCode);

        var read = await admin.GetAsync($"/api/letters/{letter["id"]}");
        var patched = await (await admin.PatchJsonAsync($"/api/letters/{letter["id"]}", new { milestones = new[] { 1, 2 } }, read.Headers.ETag!.Tag)).JsonAsync();
        Assert.Equal([1L, 2L], patched["milestones"]!.AsArray().Select(m => (long)m!));
        Assert.Equal([1L], patched["reachedMilestones"]!.AsArray().Select(m => (long)m!["threshold"]!)); // already passed when set

        // Held for review, it counts once approved: that passes 2.
        await app.Anonymous().SignAsync(letter, Signer.Individual("held@example.org"));
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("held@example.org"), "verify"));
        var held = (await (await admin.GetAsync($"/api/letters/{letter["id"]}/signatures?status=review")).JsonAsync())["items"]![0]!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/letters/{letter["id"]}/signatures/{held["id"]}/approve", null)).StatusCode);
        Assert.Contains("has passed 2 confirmed signatures", (await smtp.WaitForMailAsync(Staff)).TextBody);
        await MailDrainedAsync(letter, "marker@example.org");
        Assert.Equal(1, smtp.CountTo(Staff));
    }

    [Fact]
    public async Task Milestones_and_the_notify_address_are_checked()
    {
        var body = new { title = "t", body = "b", target = "t", closesAt = app.Clock.GetUtcNow().AddDays(5).ToString("O"),
                         milestones = new[] { 0, 5 }, notifyEmail = "not an address" };
        Assert.Equal(["milestones", "notifyEmail"], await (await app.Admin().PostAsJsonAsync("/api/letters", body)).ProblemAsync(400));
    }
}

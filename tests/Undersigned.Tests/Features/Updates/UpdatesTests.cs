using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Updates;

/// <summary>Updates after the deadline, only to signers who asked, each with a one-click unsubscribe (RFC 8058).</summary>
public sealed class UpdatesTests : SmtpAppTest
{
    async Task ConfirmAsync(JsonObject letter, string email, bool updates)
    {
        var signature = Signer.Individual(email);
        signature["updates"] = updates;
        await app.Anonymous().SignAsync(letter, signature);
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"));
    }

    static string UnsubscribeLink(MimeKit.MimeMessage mail)
        => Regex.Match(mail.Headers["List-Unsubscribe"], "<(?<url>[^>]+)>").Groups["url"].Value;

    [Fact]
    public async Task An_update_reaches_only_those_who_asked_and_did_not_unsubscribe_with_both_one_click_headers()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await ConfirmAsync(letter, "asked@example.org", updates: true);
        await ConfirmAsync(letter, "leaving@example.org", updates: true);
        await ConfirmAsync(letter, "quiet@example.org", updates: false);
        await ConfirmAsync(letter, "also-quiet@example.org", updates: false);
        var staff = await app.StaffAsync();
        var url = $"/api/letters/{letter["id"]}/updates";

        // The first update goes to both who asked; one of them unsubscribes with the one-click POST a mail client sends.
#if !POSTGRES // SQLite: a preview only reads, so it answers while another writer holds the database's write lock
        await using (await TestDatabase.HoldLockAsync(app.DataDirectory))
#endif
            Assert.Equal(2, (int)(await (await staff.PostAsJsonAsync(url, new { subject = "Delivered", body = "We delivered it.", preview = true })).JsonAsync())["recipients"]!);
        Assert.Equal(HttpStatusCode.Accepted, (await staff.PostAsJsonAsync(url, new { subject = "Delivered", body = "We delivered it." })).StatusCode);
        var first = await smtp.WaitForMailAsync("leaving@example.org", 2);
        Assert.Equal("List-Unsubscribe=One-Click", first.Headers["List-Unsubscribe-Post"]);
        var unsubscribe = new Uri(UnsubscribeLink(first));
        var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(unsubscribe.PathAndQuery)).StatusCode); // a page: changes nothing
        Assert.Equal(2, (int)(await (await staff.PostAsJsonAsync(url, new { subject = "s", body = "b", preview = true })).JsonAsync())["recipients"]!);
        var oneClick = await client.PostAsync(unsubscribe.PathAndQuery, new FormUrlEncodedContent([KeyValuePair.Create("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.False(await app.StoresAsync(unsubscribe.Query.Split("t=")[1])); // kept only as a hash

        // A second update the same day (the letter's) is refused; the next day's reaches exactly one address.
        Assert.Equal(HttpStatusCode.Conflict, (await staff.PostAsJsonAsync(url, new { subject = "Again", body = "b" })).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, (int)(await (await staff.PostAsJsonAsync(url, new { subject = "A reply", body = "The minister replied.", preview = true })).JsonAsync())["recipients"]!);
        var sent = await (await staff.PostAsJsonAsync(url, new { subject = "A reply", body = "The minister replied." })).JsonAsync();
        Assert.Equal(1, (int)sent["recipients"]!);
        var reply = await smtp.WaitForMailAsync("asked@example.org", 3);
        Assert.Equal("A reply", reply.Subject);
        Assert.Contains("The minister replied.", reply.TextBody);
        Assert.StartsWith("<http", reply.Headers["List-Unsubscribe"]);
        await app.Anonymous().SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org"); // the outbox sends in order: anything queued before went
        Assert.Equal(2, smtp.CountTo("leaving@example.org"));
        Assert.Equal(1, smtp.CountTo("quiet@example.org"));

        var listed = (await (await staff.GetAsync(url)).JsonAsync())["items"]!.AsArray();
        Assert.Equal([("A reply", 1L), ("Delivered", 2L)], listed.Select(u => ((string)u!["subject"]!, (long)u["recipients"]!)));
        Assert.Equal(4, (await app.Anonymous().PublicSignatoriesAsync(letter)).Count); // unsubscribing keeps the signature
    }

    [Fact]
    public async Task Updates_wait_for_signing_and_bad_links_and_fields_are_named()
    {
        var staff = await app.StaffAsync();
        var draft = await app.CreateLetterAsync();
        await (await staff.PostAsJsonAsync($"/api/letters/{draft["id"]}/updates", new { subject = "s", body = "b" })).ProblemAsync(409);
        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(["subject", "body"], await (await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/updates", new { })).ProblemAsync(400));
        Assert.Equal(["t"], await (await app.Anonymous().PostAsync("/unsubscribe?t=not-a-token", new FormUrlEncodedContent([]))).ProblemAsync(400));
    }

    [Fact]
    public async Task An_outcome_with_notify_goes_out_as_the_day_s_update_and_a_second_one_that_day_saves_nothing()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await ConfirmAsync(letter, "asked@example.org", updates: true);
        var staff = await app.StaffAsync();
        var outcomes = $"/api/letters/{letter["id"]}/outcomes";
        var outcome = new { kind = "response", occurredAt = "2026-11-23T09:00:00Z", title = "The minister replied", body = "They will review it.", notify = true };
        Assert.Equal(HttpStatusCode.Created, (await staff.PostAsJsonAsync(outcomes, outcome)).StatusCode);
        var mail = await smtp.WaitForMailAsync("asked@example.org", 2);
        Assert.Equal("The minister replied", mail.Subject);
        Assert.Equal(["notify"], await (await staff.PostAsJsonAsync(outcomes, outcome with { title = "Another" })).ProblemAsync(409));
        Assert.Single((await (await staff.GetAsync(outcomes)).JsonAsync())["items"]!.AsArray());
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Webhooks;

/// <summary>Webhooks delivered over real HTTP to receivers on loopback (private networks and plain http allowed, as in tests only).</summary>
public sealed class WebhooksTests : SmtpAppTest
{
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Undersigned:Webhooks:AllowPrivateNetworks"] = "true";
        settings["Undersigned:Webhooks:AllowHttp"] = "true";
    }

    async Task<(long Id, string Secret)> RegisterAsync(Receiver receiver, string[] events, object? partnerId = null)
    {
        var response = await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events, partnerId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.StartsWith("whsec_", (string)body["secret"]!);
        return ((long)body["webhook"]!["id"]!, (string)body["secret"]!);
    }

    async Task<JsonArray> DeliveriesAsync(long webhookId)
        => (await (await app.Admin().GetAsync($"/api/webhooks/{webhookId}/deliveries")).JsonAsync())["items"]!.AsArray();

    /// <summary>
    /// Looks until a delivery of <paramref name="type"/> is recorded as delivered, for ten seconds at most. Before a test
    /// jumps the clock past a claim (a minute): were the delivery not yet recorded, the sender would rightly send it again.
    /// </summary>
    async Task RecordedAsync(long webhookId, string type)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await DeliveriesAsync(webhookId)).Any(d => (string)d!["type"]! == type && (string)d["status"]! == "delivered")
               && DateTime.UtcNow < deadline) await Task.Yield();
    }

    /// <summary>Signs and confirms; returns the withdraw token.</summary>
    async Task<string> SignAsync(JsonObject letter, string email, string? partner = null, bool partnerConsent = false)
    {
        var mail = await SignUnconfirmedAsync(letter, email, partner, partnerConsent);
        await ConfirmAsync(mail);
        return Signer.TokenFrom(mail, "withdraw");
    }

    async Task<MimeKit.MimeMessage> SignUnconfirmedAsync(JsonObject letter, string email, string? partner = null, bool partnerConsent = false)
    {
        var signature = Signer.Individual(email, $"Signer {email.Split('@')[0]}");
        signature["partner"] = partner;
        signature["partnerConsent"] = partner is null ? null : partnerConsent;
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
        return await smtp.WaitForMailAsync(email);
    }

    async Task ConfirmAsync(MimeKit.MimeMessage mail)
        => Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);

    /// <summary>A published letter with the partner rlg-uk attached, asking its signers whether it may contact them.</summary>
    async Task<(JsonObject Letter, JsonObject Partner)> LetterWithPartnerAsync(object? fields = null)
    {
        var partner = await (await app.Admin().PostAsJsonAsync("/api/partners", new { name = "Refugee Legal Group UK", code = "rlg-uk" })).JsonAsync();
        var letter = await app.CreatePublishedLetterAsync(fields);
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/partners", new { partnerId = partner["id"], askContactConsent = true });
        return (letter, partner);
    }

    Task FailuresLoggedAsync(int count) => app.WaitForLogAsync(line => line.Contains("Webhook delivery") && line.Contains("failed:"), count);

    [Fact]
    public async Task A_partners_endpoint_gets_only_its_signers_and_contact_details_only_of_those_who_agreed_and_every_body_is_signed()
    {
        await using var staffReceiver = await Receiver.StartAsync();
        await using var partnerReceiver = await Receiver.StartAsync();
        var (letter, partner) = await LetterWithPartnerAsync();
        var (_, staffSecret) = await RegisterAsync(staffReceiver, ["signature.confirmed"]);
        var (partnerWebhookId, partnerSecret) = await RegisterAsync(partnerReceiver, ["signature.confirmed"], partner["id"]);

        await SignAsync(letter, "agrees@example.org", "rlg-uk", partnerConsent: true);
        await SignAsync(letter, "declines@example.org", "rlg-uk", partnerConsent: false);
        await SignAsync(letter, "direct@example.org");

        var toStaff = await staffReceiver.NextAsync(3);
        Assert.All(toStaff, r => Assert.True(r.IsSignedWith(staffSecret)));
        Assert.All(toStaff, r => Assert.DoesNotContain("@", r.Body)); // never an email to a staff endpoint
        Assert.Equal(["Signer agrees", "Signer declines", "Signer direct"], toStaff.Select(r => (string)r.Json["data"]!["displayName"]!).Order());
        Assert.Equal(2, toStaff.Count(r => (string?)r.Json["data"]!["partner"] == "rlg-uk"));

        var toPartner = (await partnerReceiver.NextAsync(2)).OrderBy(r => (string)r.Json["data"]!["displayName"]!).ToList();
        Assert.All(toPartner, r => Assert.True(r.IsSignedWith(partnerSecret) && !r.IsSignedWith(staffSecret)));
        Assert.All(toPartner, r => Assert.True(long.Parse(r.Timestamp) == app.Clock.GetUtcNow().ToUnixTimeSeconds()));
        Assert.Equal("agrees@example.org", (string)toPartner[0].Json["data"]!["contact"]!["email"]!);
        Assert.Null(toPartner[1].Json["data"]!["contact"]);
        Assert.DoesNotContain("declines@example.org", toPartner[1].Body);
        Assert.Equal(("signature.confirmed", "confirmed"), (toPartner[0].Type, (string)toPartner[0].Json["data"]!["status"]!));

        // The one delivery that carried contact details is in the audit trail.
        var audit = (await (await app.Admin().GetAsync("/api/audit")).JsonAsync())["items"]!.AsArray();
        Assert.Single(audit, a => (string)a!["action"]! == "webhook.contact");

        // Once the partner is detached, a signer it brought who confirms now is news to staff only.
        var late = await SignUnconfirmedAsync(letter, "late@example.org", "rlg-uk", partnerConsent: true);
        await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/partners/{partner["id"]}");
        await ConfirmAsync(late);
        Assert.Equal("Signer late", (string)(await staffReceiver.NextAsync()).Json["data"]!["displayName"]!);
        Assert.Equal(2, (await DeliveriesAsync(partnerWebhookId)).Count); // queued in the same transaction as staff's, had it been
    }

    [Fact]
    public async Task A_signer_who_stops_sharing_reaches_the_partner_endpoint_that_had_their_details_and_no_other()
    {
        await using var staffReceiver = await Receiver.StartAsync();
        await using var partnerReceiver = await Receiver.StartAsync();
        const string title = "Protect <img src=x onerror=alert(1)> migrants' data";
        var (letter, partner) = await LetterWithPartnerAsync(new { title });
        var (staffWebhookId, _) = await RegisterAsync(staffReceiver, ["signature.confirmed", "signature.withdrawn"]);
        var (partnerWebhookId, _) = await RegisterAsync(partnerReceiver, ["signature.confirmed"], partner["id"]);

        var mail = await SignUnconfirmedAsync(letter, "agrees@example.org", "rlg-uk", partnerConsent: true);
        await ConfirmAsync(mail);
        var confirmed = await partnerReceiver.NextAsync();
        Assert.Equal("agrees@example.org", (string)confirmed.Json["data"]!["contact"]!["email"]!);
        await staffReceiver.NextAsync();

        // The signer follows the email's link and presses the page's button; the letter's title is only ever text there.
        var token = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/stop-sharing#(?<token>\d+\.[A-Za-z0-9_-]{22})").Groups["token"].Value;
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync($"{app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority)}/stop-sharing#{token}");
        var dialogs = 0;
        page.Dialog += (_, _) => dialogs++;
        // The page learns the letter from the token's preview: wait for it before reading.
        await page.Locator(".letter", new() { HasText = "migrants' data" }).WaitForAsync();
        Assert.Equal(title, await page.Locator(".letter").TextContentAsync());
        Assert.Equal(0, await page.Locator("img").CountAsync());
        foreach (var width in new[] { 360, 1280 })
        {
            await page.SetViewportSizeAsync(width, 800);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"scrolls sideways at {width} px");
            await Chromium.ScreenshotAsync(page, $"stop-sharing-{width}");
        }
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Stop sharing my details" }).ClickAsync();
        await page.GetByText("your details are no longer shared with the partner").WaitForAsync();
        Assert.Equal(0, dialogs);
        var stopped = await partnerReceiver.NextAsync();
        Assert.Equal(("signature.sharing_stopped", (long)confirmed.Json["data"]!["signatureId"]!, "confirmed"),
            (stopped.Type, (long)stopped.Json["data"]!["signatureId"]!, (string)stopped.Json["data"]!["status"]!));
        Assert.Null(stopped.Json["data"]!["contact"]);
        Assert.DoesNotContain("agrees@example.org", stopped.Body);

        // Once: the link again changes nothing. Staff's endpoint never had the details, and hears nothing.
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsJsonAsync("/api/public/signatures/stop-sharing", new { token })).StatusCode);
        await app.Admin().PostAsync($"/api/webhooks/{staffWebhookId}/ping", null);
        Assert.Equal("ping", (await staffReceiver.NextAsync()).Type);
        Assert.DoesNotContain(await DeliveriesAsync(staffWebhookId), d => (string)d!["type"]! == "signature.sharing_stopped");
        Assert.Single(await DeliveriesAsync(partnerWebhookId), d => (string)d!["type"]! == "signature.sharing_stopped");
    }

    [Fact]
    public async Task A_receiver_that_fails_three_times_then_recovers_gets_the_event_once_more_with_the_same_id()
    {
        await using var receiver = await Receiver.StartAsync();
        foreach (var status in new[] { 500, 503, 404 }) receiver.Answers.Enqueue(status);
        var (webhookId, _) = await RegisterAsync(receiver, ["letter.published"]);
        var letter = await app.CreateLetterAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null)).StatusCode);

        var attempts = new List<Receiver.Received> { await receiver.NextAsync() };
        foreach (var (failures, backoff) in new[] { (1, 10), (2, 20), (3, 40) })
        {
            await FailuresLoggedAsync(failures);
            app.Clock.Advance(TimeSpan.FromSeconds(backoff));
            attempts.Add(await receiver.NextAsync());
        }

        await app.WaitForLogAsync(line => line.Contains("succeeded at attempt 4"));
        Assert.Single(attempts.Select(a => a.Id).Distinct());
        Assert.Equal((string)letter["slug"]!, (string)attempts[0].Json["data"]!["letter"]!["slug"]!);
        var delivery = Assert.Single(await DeliveriesAsync(webhookId))!;
        Assert.Equal(("delivered", 4, 200), ((string)delivery["status"]!, (int)delivery["attempts"]!, (int)delivery["statusCode"]!));
        var webhook = (await (await app.Admin().GetAsync("/api/webhooks")).JsonAsync())["items"]![0]!;
        Assert.Null(webhook["failingSince"]);
    }

    [Fact]
    public async Task A_withdrawal_reaches_every_endpoint_that_got_the_confirmation_and_a_redelivery_then_carries_no_personal_data()
    {
        await using var confirmedOnly = await Receiver.StartAsync();
        await using var both = await Receiver.StartAsync();
        await using var failing = await Receiver.StartAsync();
        failing.Answers.Enqueue(500);
        var letter = await app.CreatePublishedLetterAsync();
        var (confirmedOnlyId, _) = await RegisterAsync(confirmedOnly, ["signature.confirmed"]);
        await RegisterAsync(both, ["signature.confirmed", "signature.withdrawn"]);
        var (failingId, _) = await RegisterAsync(failing, ["signature.confirmed"]);

        var withdrawToken = await SignAsync(letter, "jane@example.org");
        var confirmation = await confirmedOnly.NextAsync();
        var signatureId = (long)confirmation.Json["data"]!["signatureId"]!;
        Assert.Equal("Signer jane", (string)confirmation.Json["data"]!["displayName"]!);
        await both.NextAsync();
        await failing.NextAsync();
        await FailuresLoggedAsync(1); // its confirmation waits to be tried again

        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().WithdrawAsync(withdrawToken)).StatusCode);
        foreach (var receiver in new[] { confirmedOnly, both, failing })
        {
            var withdrawal = await receiver.NextAsync();
            Assert.Equal(("signature.withdrawn", signatureId), (withdrawal.Type, (long)withdrawal.Json["data"]!["signatureId"]!));
            Assert.Null(withdrawal.Json["data"]!["displayName"]);
            Assert.DoesNotContain("jane", withdrawal.Body, StringComparison.OrdinalIgnoreCase);
        }
        // The confirmation it never received is not tried again.
        var failingDeliveries = await DeliveriesAsync(failingId);
        Assert.Equal(["signature.withdrawn", "signature.confirmed"], failingDeliveries.Select(d => (string)d!["type"]!));
        Assert.Equal("cancelled", (string)failingDeliveries[1]!["status"]!);

        // Sent again after the withdrawal, the confirmation keeps its id and says only that the signature is withdrawn.
        var firstDelivery = (await DeliveriesAsync(confirmedOnlyId)).Last()!;
        var redeliver = await app.Admin().PostAsync($"/api/webhooks/{confirmedOnlyId}/deliveries/{firstDelivery["id"]}/redeliver", null);
        Assert.Equal(HttpStatusCode.Accepted, redeliver.StatusCode);
        var again = await confirmedOnly.NextAsync();
        Assert.Equal((confirmation.Id, "signature.confirmed", "withdrawn"), (again.Id, again.Type, (string)again.Json["data"]!["status"]!));
        Assert.Null(again.Json["data"]!["displayName"]);
        Assert.DoesNotContain("jane", again.Body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Staff_ping_rotate_and_delete_an_endpoint_and_both_secrets_sign_during_a_rotation()
    {
        await using var receiver = await Receiver.StartAsync();
        var (webhookId, oldSecret) = await RegisterAsync(receiver, ["letter.closed"]);
        var rotated = await (await app.Admin().PostAsync($"/api/webhooks/{webhookId}/rotate-secret", null)).JsonAsync();
        var newSecret = (string)rotated["secret"]!;
        Assert.NotEqual(oldSecret, newSecret);

        Assert.Equal(HttpStatusCode.Accepted, (await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null)).StatusCode);
        var ping = await receiver.NextAsync();
        Assert.Equal(("ping", webhookId), (ping.Type, (long)ping.Json["data"]!["webhookId"]!));
        Assert.True(ping.IsSignedWith(newSecret) && ping.IsSignedWith(oldSecret));
        Assert.True(await GuideVerifiesAsync(newSecret, ping));
        Assert.False(await GuideVerifiesAsync(newSecret, ping with { Body = ping.Body.Replace("ping", "pong") }));

        await RecordedAsync(webhookId, "ping");
        app.Clock.Advance(TimeSpan.FromHours(24));
        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        var later = await receiver.NextAsync();
        Assert.True(later.IsSignedWith(newSecret) && !later.IsSignedWith(oldSecret));

        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/webhooks/{webhookId}")).StatusCode);
        await (await app.Admin().GetAsync($"/api/webhooks/{webhookId}/deliveries")).ProblemAsync(404);
        await (await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null)).ProblemAsync(404);
    }

    [Fact]
    public async Task An_endpoint_failing_for_three_days_is_disabled_saying_why_and_a_successful_ping_enables_it_again()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.Answers.Enqueue(500);
        receiver.Answers.Enqueue(500);
        var (webhookId, _) = await RegisterAsync(receiver, ["letter.published"]);
        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        await receiver.NextAsync();
        await FailuresLoggedAsync(1);
        app.Clock.Advance(TimeSpan.FromDays(3)); // its retry falls due, and fails again
        await receiver.NextAsync();
        await app.WaitForLogAsync(line => line.Contains($"Webhook endpoint {webhookId} disabled"));

        var webhook = (await (await app.Admin().GetAsync("/api/webhooks")).JsonAsync())["items"]![0]!;
        Assert.NotNull(webhook["disabledAt"]);
        Assert.Contains("failed; the last: The receiver answered 500.", (string)webhook["disabledReason"]!);
        await app.CreatePublishedLetterAsync(); // not queued for a disabled endpoint
        Assert.Single(await DeliveriesAsync(webhookId));
        await (await app.Admin().PostAsync($"/api/webhooks/{webhookId}/deliveries/{(await DeliveriesAsync(webhookId))[0]!["id"]}/redeliver", null)).ProblemAsync(409);

        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        await receiver.NextAsync();
        await app.WaitForLogAsync(line => line.Contains($"Webhook endpoint {webhookId} enabled again"));
        webhook = (await (await app.Admin().GetAsync("/api/webhooks")).JsonAsync())["items"]![0]!;
        Assert.Null(webhook["disabledAt"]);
        Assert.Null(webhook["failingSince"]);
    }

    [Fact]
    public async Task Letter_events_follow_the_deadline_moved_by_staff_or_passing_by_itself()
    {
        await using var receiver = await Receiver.StartAsync();
        var (webhookId, _) = await RegisterAsync(receiver, ["letter.deadline_changed", "letter.closed", "letter.milestone"]);
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = app.Clock.GetUtcNow().AddDays(2), milestones = new[] { 1 } });
        var closesAt = app.Clock.GetUtcNow().AddDays(1);
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/deadline", new { closesAt, reason = "The minister meets us sooner" });
        var moved = await receiver.NextAsync();
        Assert.Equal(("letter.deadline_changed", "The minister meets us sooner"), (moved.Type, (string)moved.Json["data"]!["reason"]!));
        Assert.Equal(closesAt, DateTimeOffset.Parse((string)moved.Json["data"]!["closesAt"]!));

        await SignAsync(letter, "first@example.org");
        var milestone = await receiver.NextAsync();
        Assert.Equal(("letter.milestone", 1L, 1L), (milestone.Type, (long)milestone.Json["data"]!["milestone"]!, (long)milestone.Json["data"]!["letter"]!["confirmed"]!));

        await RecordedAsync(webhookId, "letter.milestone");
        app.Clock.Advance(TimeSpan.FromDays(1)); // nothing runs at the deadline; the sender notices it pass
        var closed = await receiver.NextAsync();
        Assert.Equal(("letter.closed", "closed"), (closed.Type, (string)closed.Json["data"]!["letter"]!["status"]!));
        // Once: the sender's next look (woken by a ping) queues no second one.
        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        Assert.Equal("ping", (await receiver.NextAsync()).Type);
        Assert.Single(await DeliveriesAsync(webhookId), d => (string)d!["type"]! == "letter.closed");
    }

    [Fact]
    public async Task A_letter_open_for_three_months_with_a_letter_closed_webhook_keeps_the_service_up_and_closes_on_time()
    {
        // .NET timers refuse waits past ~49.7 days: the sender waits at most an hour at a time and looks again.
        await using var receiver = await Receiver.StartAsync();
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = app.Clock.GetUtcNow().AddDays(90) });
        var (webhookId, _) = await RegisterAsync(receiver, ["letter.closed"]);
        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        Assert.Equal("ping", (await receiver.NextAsync()).Type);
        await RecordedAsync(webhookId, "ping");
        await SignAsync(letter, "still.up@example.org");

        app.Clock.Advance(TimeSpan.FromDays(90));
        var closed = await receiver.NextAsync();
        Assert.Equal(("letter.closed", (long)letter["id"]!), (closed.Type, (long)closed.Json["data"]!["letter"]!["id"]!));
        Assert.DoesNotContain(app.Logs, line => line.StartsWith("Error") || line.StartsWith("Critical"));
    }

    /// <summary>Runs docs/api.md's Python receiver check on a delivery (the test clock is days behind the real one, so no staleness limit).</summary>
    static async Task<bool> GuideVerifiesAsync(string secret, Receiver.Received delivery, [System.Runtime.CompilerServices.CallerFilePath] string here = "")
    {
        var guide = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(here)!, "../../../../docs/api.md"));
        var verify = System.Text.RegularExpressions.Regex.Match(guide, "```python\n(?<code>.*?)```", System.Text.RegularExpressions.RegexOptions.Singleline).Groups["code"].Value;
        Assert.False(string.IsNullOrWhiteSpace(verify), "docs/api.md has lost its Python receiver example.");
        var start = new System.Diagnostics.ProcessStartInfo("python3", ["-c", verify + "\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], sys.argv[3], sys.stdin.buffer.read(), tolerance=10**10))",
            secret, delivery.Timestamp, delivery.Signature]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var python = System.Diagnostics.Process.Start(start)!;
        await python.StandardInput.BaseStream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(delivery.Body));
        python.StandardInput.Close();
        var answer = (await python.StandardOutput.ReadToEndAsync()).Trim();
        await python.WaitForExitAsync();
        return answer == "True";
    }

    [Fact]
    public async Task Registration_names_each_bad_field()
    {
        var errors = await (await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = "ftp://example.org/", events = new[] { "signature.signed" } })).ProblemAsync(400);
        Assert.Equal(["events", "url"], errors.Order());
        errors = await (await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = "https://93.184.216.34/", events = new[] { "letter.closed" }, partnerId = 999 })).ProblemAsync(400);
        Assert.Equal(["partnerId"], errors);
        // Empty, missing or too long: each named, nothing stored (a condition on a rule chain once switched off its required checks).
        Assert.Equal(["events", "url"], (await (await app.Admin().PostAsync("/api/webhooks", JsonContent.Create(new { }))).ProblemAsync(400)).Order());
        Assert.Equal(["events", "url"], (await (await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = "", events = Array.Empty<string>() })).ProblemAsync(400)).Order());
        Assert.Equal(["url"], await (await app.Admin().PostAsJsonAsync("/api/webhooks",
            new { url = "https://example.org/" + new string('a', 2000), events = new[] { "letter.closed" } })).ProblemAsync(400));
        Assert.Empty((await (await app.Admin().GetAsync("/api/webhooks")).JsonAsync())["items"]!.AsArray());
    }

    [Fact]
    public async Task A_partners_endpoint_hears_nothing_of_drafts_and_never_staffs_reasons()
    {
        await using var receiver = await Receiver.StartAsync();
        var partner = await (await app.Admin().PostAsJsonAsync("/api/partners", new { name = "Refugee Legal Group UK", code = "rlg-uk" })).JsonAsync();
        var draft = await app.CreateLetterAsync(new { title = "Secret draft" });
        await app.Admin().PostAsJsonAsync($"/api/letters/{draft["id"]}/partners", new { partnerId = partner["id"] });
        var letter = await app.CreatePublishedLetterAsync();
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/partners", new { partnerId = partner["id"] });
        var (webhookId, _) = await RegisterAsync(receiver, ["letter.deadline_changed"], partner["id"]);

        await app.Admin().PostAsJsonAsync($"/api/letters/{draft["id"]}/deadline", new { closesAt = app.Clock.GetUtcNow().AddDays(9), reason = "Draft's private reason" });
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/deadline", new { closesAt = app.Clock.GetUtcNow().AddDays(9), reason = "Staff's private reason" });
        var moved = await receiver.NextAsync();
        Assert.Equal((long)letter["id"]!, (long)moved.Json["data"]!["letter"]!["id"]!);
        Assert.NotNull(moved.Json["data"]!["closesAt"]);
        Assert.Null(moved.Json["data"]!["reason"]);
        Assert.DoesNotContain("private reason", moved.Body);
        await RecordedAsync(webhookId, "letter.deadline_changed");
        // A redelivery of the draft's event is refused at send time too: nothing about a draft ever leaves.
        foreach (var cancelled in (await DeliveriesAsync(webhookId)).Where(d => (string)d!["status"]! == "cancelled"))
            await app.Admin().PostAsync($"/api/webhooks/{webhookId}/deliveries/{cancelled!["id"]}/redeliver", null);
        await app.Admin().PostAsync($"/api/webhooks/{webhookId}/ping", null);
        Assert.Equal("ping", (await receiver.NextAsync()).Type); // the draft's event never came before it
    }
}

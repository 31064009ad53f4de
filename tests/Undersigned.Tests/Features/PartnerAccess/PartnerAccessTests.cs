using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.PartnerAccess;

/// <summary>A partner key sees its letters and, of their signers, only those it brought who agreed to hear from it.</summary>
public sealed class PartnerAccessTests : SmtpAppTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Undersigned:RateLimits:PartnerEntriesPerHour"] = "3";

    async Task<(JsonObject Partner, HttpClient Key)> PartnerWithKeyAsync(string code)
    {
        var partner = await (await app.Admin().PostAsJsonAsync("/api/partners", new { name = $"Partner {code}", code })).JsonAsync();
        var created = await app.Admin().PostAsJsonAsync("/api/keys", new { name = $"{code} key", role = "partner", partnerId = partner["id"] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (partner, app.WithKey((string)(await created.JsonAsync())["secret"]!));
    }

    async Task AttachAsync(JsonObject letter, JsonObject partner)
        => await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/partners", new { partnerId = partner["id"], askContactConsent = true });

    async Task SignAsync(JsonObject letter, string email, string? partner, bool consent, bool confirm = true)
    {
        var signature = Signer.Individual(email, $"Signer {email.Split('@')[0]}");
        signature["partner"] = partner;
        signature["partnerConsent"] = consent;
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
        var mail = await smtp.WaitForMailAsync(email);
        if (confirm) await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"));
    }

    [Fact]
    public async Task A_partner_sees_its_letters_its_own_counts_and_only_the_consenting_confirmed_signers_it_brought()
    {
        var (rlg, rlgKey) = await PartnerWithKeyAsync("rlg-uk");
        var (voice, voiceKey) = await PartnerWithKeyAsync("migrant-voice");
        var letter = await app.CreatePublishedLetterAsync(new { notifyEmail = "staff@example.org", allowedOrigins = new[] { "https://coalition.example" } });
        var other = await app.CreatePublishedLetterAsync();
        var draft = await app.CreateLetterAsync();
        await AttachAsync(letter, rlg);
        await AttachAsync(letter, voice);
        await AttachAsync(draft, rlg);
        await AttachAsync(other, voice);

        await SignAsync(letter, "agrees@example.org", "rlg-uk", consent: true);
        await SignAsync(letter, "declines@example.org", "rlg-uk", consent: false);
        await SignAsync(letter, "unconfirmed@example.org", "rlg-uk", consent: true, confirm: false);
        await SignAsync(letter, "voice@example.org", "migrant-voice", consent: true);
        await SignAsync(letter, "direct@example.org", null, consent: true);

        var letters = (await (await rlgKey.GetAsync("/api/partner/letters")).JsonAsync())["items"]!.AsArray();
        var only = Assert.Single(letters)!; // not the draft, not the other partner's letter
        Assert.Equal((long)letter["id"]!, (long)only["id"]!);
        Assert.Equal((3L, 2L), ((long)only["counts"]!["submitted"]!, (long)only["counts"]!["confirmed"]!));
        Assert.Null(only["counts"]!["pending"]); // would tell an address that had signed from a new one
        foreach (var hidden in new[] { "allowedOrigins", "notifyEmail", "partners", "deadlineHistory", "milestones" })
            Assert.Null(only[hidden]);

        var signers = (await (await rlgKey.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        var signer = Assert.Single(signers)!;
        Assert.Equal(("agrees@example.org", "Signer agrees"), ((string)signer["email"]!, (string)signer["name"]!));
        Assert.Null(signer["addressHash"]);
        var csv = await rlgKey.GetStringAsync($"/api/partner/letters/{letter["id"]}/export.csv");
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"agrees@example.org\"", lines[1]);

        // Not another partner's letter, not a draft, and after detaching, not this one either.
        await (await rlgKey.GetAsync($"/api/partner/letters/{other["id"]}/signatures")).ProblemAsync(404);
        await (await rlgKey.GetAsync($"/api/partner/letters/{draft["id"]}/export.csv")).ProblemAsync(404);
        Assert.Equal(["voice@example.org"], (await (await voiceKey.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!
            .AsArray().Select(s => (string)s!["email"]!));
        await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/partners/{rlg["id"]}");
        await (await rlgKey.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).ProblemAsync(404);
        Assert.Empty((await (await rlgKey.GetAsync("/api/partner/letters")).JsonAsync())["items"]!.AsArray());

        var audit = (await (await app.Admin().GetAsync("/api/audit")).JsonAsync())["items"]!.AsArray();
        Assert.Contains(audit, a => (string)a!["action"]! == "partner.export.csv" && (long)a["rows"]! == 1);
        Assert.Contains(audit, a => (string)a!["action"]! == "partner.signatures.read");
    }

    [Fact]
    public async Task Partner_keys_are_bound_to_an_existing_partner_and_only_partner_keys_are()
    {
        var admin = app.Admin();
        Assert.Equal(["partnerId"], await (await admin.PostAsJsonAsync("/api/keys", new { name = "p", role = "partner" })).ProblemAsync(400));
        Assert.Equal(["partnerId"], await (await admin.PostAsJsonAsync("/api/keys", new { name = "s", role = "staff", partnerId = 1 })).ProblemAsync(400));
        Assert.Equal(["partnerId"], await (await admin.PostAsJsonAsync("/api/keys", new { name = "p", role = "partner", partnerId = 999 })).ProblemAsync(400));
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var me = await (await key.GetAsync("/api/me")).JsonAsync();
        Assert.Equal(("partner", (long)partner["id"]!), ((string)me["role"]!, (long)me["partner"]!));
        await (await key.GetAsync("/api/letters")).ProblemAsync(403);
    }

    [Fact]
    public async Task Paper_signatures_from_a_partner_always_get_the_same_answer_and_count_only_once_confirmed_or_approved()
    {
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var letter = await app.CreatePublishedLetterAsync();
        await AttachAsync(letter, partner);
        await SignAsync(letter, "online@example.org", null, consent: false); // signed online already

        async Task<JsonObject> AddAsync(object body)
        {
            var response = await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", body);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return await response.JsonAsync();
        }
        var answers = new[]
        {
            await AddAsync(new { kind = "individual", name = "On Paper", showName = true, method = "paper" }),
            await AddAsync(new { kind = "individual", name = "At Event", email = "event@example.org", showName = true, method = "event", partnerConsent = true }),
            await AddAsync(new { kind = "individual", name = "Already", email = "online@example.org", showName = true, method = "email" }),
        };
        Assert.Single(answers.Select(a => a.ToJsonString()).Distinct()); // nothing tells the partner who had signed

        var staff = app.Admin();
        var all = (await (await staff.GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        var paper = all.Single(s => (string?)s!["name"] == "On Paper")!;
        Assert.Equal(("review", "paper", (long)partner["id"]!), ((string)paper["status"]!, (string)paper["method"]!, (long)paper["partnerId"]!));
        var atEvent = all.Single(s => (string?)s!["name"] == "At Event")!;
        Assert.Equal(("pending", "event"), ((string)atEvent["status"]!, (string)atEvent["method"]!));
        Assert.Null(atEvent["partnerConsent"]); // a partner cannot answer for someone
        Assert.Equal("online", (string)all.Single(s => (string?)s!["email"] == "online@example.org")!["method"]!);
        Assert.Equal(1, smtp.CountTo("online@example.org")); // the duplicate was dropped, and its owner not mailed
        var audit = (await (await staff.GetAsync("/api/audit")).JsonAsync())["items"]!.AsArray();
        Assert.Contains(audit, a => (string)a!["action"]! == "partner.signature.duplicate");

        // The event signer confirms; staff approve the paper one; the pack says how many signed other than online.
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("event@example.org"), "verify"));
        Assert.Equal(HttpStatusCode.OK, (await staff.PostAsync($"/api/letters/{letter["id"]}/signatures/{paper["id"]}/approve", null)).StatusCode);
        var pack = await staff.GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Contains("(3 in all, 2 of them on paper, at events or by email)", pack);
    }

    [Fact]
    public async Task A_partner_cannot_tell_an_address_that_had_signed_from_a_new_one_at_any_point_until_both_expire()
    {
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var signedHere = await app.CreatePublishedLetterAsync(new { closesAt = app.Clock.GetUtcNow().AddDays(3) });
        var newHere = await app.CreatePublishedLetterAsync(new { closesAt = app.Clock.GetUtcNow().AddDays(3) });
        await AttachAsync(signedHere, partner);
        await AttachAsync(newHere, partner);
        // The address signed the first letter through another route (and has not confirmed: pending is what would show).
        await SignAsync(signedHere, "person@example.org", null, consent: false, confirm: false);

        // Everything the partner's key reads about a letter's signers: its counts, its signers, its CSV.
        async Task<string> ViewAsync(JsonObject letter)
        {
            var items = (await (await key.GetAsync("/api/partner/letters")).JsonAsync())["items"]!.AsArray();
            return items.Single(l => (long)l!["id"]! == (long)letter["id"]!)!["counts"]!.ToJsonString()
                   + (await (await key.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).JsonAsync()).ToJsonString()
                   + await key.GetStringAsync($"/api/partner/letters/{letter["id"]}/export.csv");
        }
        async Task<string> EnterAsync(JsonObject letter)
        {
            var response = await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures",
                new { kind = "individual", name = "Paper Signer", email = "person@example.org", showName = true, method = "paper" });
            return response.StatusCode + await response.Content.ReadAsStringAsync();
        }

        Assert.Equal(await ViewAsync(signedHere), await ViewAsync(newHere));
        Assert.Equal(await EnterAsync(signedHere), await EnterAsync(newHere));
        Assert.Equal(await ViewAsync(signedHere), await ViewAsync(newHere));
        Assert.StartsWith("{\"submitted\":1,\"confirmed\":0}", await ViewAsync(newHere));

        // Neither confirms; both expire.
        await smtp.WaitForMailAsync("person@example.org", 2); // a signature whose email has not gone yet does not expire
        await app.WaitForOutboxEmptyAsync();
        app.Clock.Advance(TimeSpan.FromDays(8));
        await app.WaitForLogAsync(line => line.Contains("unconfirmed signatures expired"));
        Assert.Equal(await ViewAsync(signedHere), await ViewAsync(newHere));
    }

    [Fact]
    public async Task Partner_entries_are_limited_per_partner_across_its_keys_with_Retry_After()
    {
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var second = app.WithKey((string)(await (await app.Admin().PostAsJsonAsync("/api/keys",
            new { name = "second rlg key", role = "partner", partnerId = partner["id"] })).JsonAsync())["secret"]!);
        var letter = await app.CreatePublishedLetterAsync();
        await AttachAsync(letter, partner);
        object Entry(int i) => new { kind = "individual", name = $"Paper {i}", showName = true, method = "paper" };
        Assert.Equal(HttpStatusCode.Accepted, (await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", Entry(1))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await second.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", Entry(2))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", Entry(3))).StatusCode);
        var refused = await second.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", Entry(5));
        await refused.ProblemAsync(429);
        Assert.Equal(TimeSpan.FromHours(1), refused.Headers.RetryAfter!.Delta);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Accepted, (await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures", Entry(4))).StatusCode);
    }

    [Fact]
    public async Task A_rejected_entry_from_a_partner_never_stops_its_address_signing_online()
    {
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var letter = await app.CreatePublishedLetterAsync(new { moderation = "all" });
        await AttachAsync(letter, partner);
        await key.PostAsJsonAsync($"/api/partner/letters/{letter["id"]}/signatures",
            new { kind = "individual", name = "Not Me", email = "victim@example.org", showName = true, method = "email" });
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("victim@example.org"), "verify"));
        var entry = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures?status=review")).JsonAsync())["items"]![0]!;
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PostAsync($"/api/letters/{letter["id"]}/signatures/{entry["id"]}/reject", null)).StatusCode);

        await app.Anonymous().SignAsync(letter, Signer.Individual("victim@example.org", "The Real Person"));
        var mail = await smtp.WaitForMailAsync("victim@example.org", 2);
        Assert.Contains("Please confirm your signature", mail.Subject);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
    }

    [Fact]
    public async Task A_signer_who_lets_a_partner_contact_them_can_stop_it_from_any_email_and_an_access_request_says_so()
    {
        var (partner, key) = await PartnerWithKeyAsync("rlg-uk");
        var letter = await app.CreatePublishedLetterAsync();
        await AttachAsync(letter, partner);
        await SignAsync(letter, "sharer@example.org", "rlg-uk", consent: true);
        var mail = smtp.Messages().Single(m => m.To.ToString() == "sharer@example.org");
        Assert.Contains("Stop sharing my details with \u2068Partner rlg-uk\u2069", mail.TextBody);
        var token = System.Text.RegularExpressions.Regex.Match(mail.TextBody!, @"/stop-sharing#(?<token>\d+\.[A-Za-z0-9_-]{22})").Groups["token"].Value;

        await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "sharer@example.org" });
        var summary = await smtp.WaitForMailAsync("sharer@example.org", 2);
        Assert.Contains("Came through the partner: Partner rlg-uk; you let them contact you: yes", summary.TextBody);
        Assert.Contains("/stop-sharing#", summary.TextBody);

        Assert.Single((await (await key.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray());
        Assert.Equal(["token"], await (await app.Anonymous().PostAsJsonAsync("/api/public/signatures/stop-sharing", new { token = token[..^2] + "xx" })).ProblemAsync(400));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().PostAsJsonAsync("/api/public/signatures/stop-sharing", new { token })).StatusCode);
        Assert.Empty((await (await key.GetAsync($"/api/partner/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().GetAsync($"/stop-sharing?letter={letter["slug"]}")).StatusCode);
        Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter)); // the signature stays
    }
}

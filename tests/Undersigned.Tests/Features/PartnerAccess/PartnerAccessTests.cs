using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.PartnerAccess;

/// <summary>A partner key sees its letters and, of their signers, only those it brought who agreed to hear from it.</summary>
public sealed class PartnerAccessTests : SmtpAppTest
{
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
        Assert.Equal((2L, 1L), ((long)only["counts"]!["confirmed"]!, (long)only["counts"]!["pending"]!));
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
}

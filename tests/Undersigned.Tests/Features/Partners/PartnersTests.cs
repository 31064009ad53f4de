using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Partners;

/// <summary>Partner organisations: managed by staff, attached to letters, credited with the signatures they bring.</summary>
public sealed class PartnersTests : SmtpAppTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Undersigned:PublicBaseUrl"] = null;

    async Task<JsonObject> PartnerAsync(string name, string code)
    {
        var response = await app.Admin().PostAsJsonAsync("/api/partners", new { name, code, website = "https://partner.example" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    async Task AttachAsync(JsonObject letter, JsonObject partner, bool askContactConsent = true, string[]? allowedOrigins = null)
        => Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/partners",
            new { partnerId = partner["id"], askContactConsent, allowedOrigins })).StatusCode);

    async Task<JsonObject> SignedAsync(JsonObject letter, string email) => await SignedAsync(letter, s => (string?)s["email"] == email);

    async Task<JsonObject> SignedAsync(JsonObject letter, Func<JsonNode, bool> match)
        => (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray()
            .Single(s => match(s!))!.AsObject();

    static JsonObject Through(JsonObject signature, string? partner, bool? consent = null)
    {
        signature["partner"] = partner;
        if (consent is not null) signature["partnerConsent"] = consent;
        return signature;
    }

    [Fact]
    public async Task Staff_manage_partners_with_unique_well_formed_codes()
    {
        var partner = await PartnerAsync("Refugee Legal Group UK", "rlg-uk");
        var admin = app.Admin();
        Assert.Equal(["code"], await (await admin.PostAsJsonAsync("/api/partners", new { name = "Other", code = "rlg-uk" })).ProblemAsync(409));
        Assert.Equal(["name", "code", "website"], await (await admin.PostAsJsonAsync("/api/partners",
            new { name = "", code = "Not A Code", website = "javascript:alert(1)" })).ProblemAsync(400));
        var other = await PartnerAsync("Migrant Voice", "migrant-voice");
        Assert.Equal(["code"], await (await admin.PatchAsJsonAsync($"/api/partners/{other["id"]}", new { name = "Migrant Voice", code = "rlg-uk" })).ProblemAsync(409));
        var renamed = await (await admin.PatchAsJsonAsync($"/api/partners/{partner["id"]}", new { name = "RLG UK", code = "rlg" })).JsonAsync();
        Assert.Equal(("RLG UK", "rlg"), ((string)renamed["name"]!, (string)renamed["code"]!));
        var listed = (await (await admin.GetAsync("/api/partners")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(["rlg", "migrant-voice"], listed.Select(p => (string)p!["code"]!));
        await (await admin.PatchAsJsonAsync("/api/partners/999", new { name = "x", code = "x" })).ProblemAsync(404);
    }

    [Fact]
    public async Task Signatures_are_credited_to_the_partner_they_came_through_with_the_signer_s_own_answer_on_contact()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var rlg = await PartnerAsync("Refugee Legal Group UK", "rlg-uk");
        var voice = await PartnerAsync("Migrant Voice", "migrant-voice");
        await AttachAsync(letter, rlg);
        await AttachAsync(letter, voice, askContactConsent: false);
        var client = app.Anonymous();

        Assert.Equal(["partner"], await (await client.SignAsync(letter, Through(Signer.Individual("x@example.org"), "nobody"))).ProblemAsync(400));
        await client.SignAsync(letter, Through(Signer.Individual("yes@example.org"), "rlg-uk", consent: true));
        await client.SignAsync(letter, Through(Signer.Individual("no@example.org"), "rlg-uk"));
        // A partner that does not ask cannot be given consent by the form.
        await client.SignAsync(letter, Through(Signer.Individual("voice@example.org"), "migrant-voice", consent: true));
        foreach (var email in new[] { "yes@example.org", "no@example.org", "voice@example.org" })
            await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"));

        Assert.Equal(((long)rlg["id"]!, true), ((long)(await SignedAsync(letter, "yes@example.org"))["partnerId"]!, (bool)(await SignedAsync(letter, "yes@example.org"))["partnerConsent"]!));
        Assert.False((bool)(await SignedAsync(letter, "no@example.org"))["partnerConsent"]!);
        Assert.Null((await SignedAsync(letter, "voice@example.org"))["partnerConsent"]);

        // The same address through the other partner: one signature, attribution and consent unchanged.
        await client.SignAsync(letter, Through(Signer.Individual("yes@example.org"), "migrant-voice"));
        await smtp.WaitForMailAsync("yes@example.org", 2);
        var kept = await SignedAsync(letter, "yes@example.org");
        Assert.Equal(((long)rlg["id"]!, true), ((long)kept["partnerId"]!, (bool)kept["partnerConsent"]!));

        var attached = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/partners")).JsonAsync())["items"]!.AsArray();
        Assert.Equal([("migrant-voice", 1L), ("rlg-uk", 2L)], attached.Select(p => ((string)p!["code"]!, (long)p["counts"]!["confirmed"]!)));
        var publicLetter = await client.PublicLetterAsync(letter);
        Assert.Equal(["Migrant Voice", "Refugee Legal Group UK"], publicLetter["partners"]!.AsArray().Select(p => (string)p!["name"]!));

        // Withdrawing removes the consent; detaching refuses the code and keeps what it brought.
        await client.WithdrawAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("yes@example.org"), "withdraw"));
        var withdrawn = await SignedAsync(letter, s => (long)s["id"]! == (long)kept["id"]!);
        Assert.Equal(("withdrawn", (long)rlg["id"]!), ((string)withdrawn["status"]!, (long)withdrawn["partnerId"]!));
        Assert.Null(withdrawn["partnerConsent"]);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/partners/{rlg["id"]}")).StatusCode);
        Assert.Equal(["partner"], await (await client.SignAsync(letter, Through(Signer.Individual("late@example.org"), "rlg-uk"))).ProblemAsync(400));
        Assert.Equal((long)rlg["id"]!, (long)(await SignedAsync(letter, "no@example.org"))["partnerId"]!);
        await (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/partners/{rlg["id"]}")).ProblemAsync(404);
    }

    [Fact]
    public async Task A_partner_s_own_sites_may_embed_and_sign_while_it_is_attached()
    {
        var letter = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://coalition.example" } });
        var partner = await PartnerAsync("Refugee Legal Group UK", "rlg-uk");
        await AttachAsync(letter, partner, allowedOrigins: ["https://rlg.example"]);
        async Task<HttpStatusCode> SignFromAsync(string origin, string email)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/public/letters/{letter["slug"]}/signatures")
            {
                Content = JsonContent.Create(Through(Signer.Individual(email), "rlg-uk")),
            };
            request.Headers.Add("Origin", origin);
            return (await app.Anonymous().SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Accepted, await SignFromAsync("https://rlg.example", "a@example.org"));
        Assert.Equal(HttpStatusCode.Forbidden, await SignFromAsync("https://elsewhere.example", "b@example.org"));
        var embed = await app.Anonymous().GetAsync($"/embed/{letter["slug"]}?partner=rlg-uk");
        Assert.Contains("frame-ancestors https://coalition.example https://rlg.example", embed.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("data-partner=\"rlg-uk\"", await embed.Content.ReadAsStringAsync());

        await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/partners/{partner["id"]}");
        Assert.Equal(HttpStatusCode.Forbidden, await SignFromAsync("https://rlg.example", "c@example.org"));
    }

    [Fact]
    public async Task On_the_letter_page_a_partner_s_link_asks_for_contact_consent_unticked_and_credits_the_partner()
    {
        var letter = await app.CreatePublishedLetterAsync(new { consentText = "I agree to sign this letter." });
        var partner = await PartnerAsync("Refugee Legal Group UK", "rlg-uk");
        await AttachAsync(letter, partner);
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync($"{app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority)}/letters/{letter["slug"]}?lang=en&partner=rlg-uk");
        var box = page.GetByLabel("Let Refugee Legal Group UK contact me about this campaign");
        Assert.False(await box.IsCheckedAsync());
        await page.GetByLabel("Your name").FillAsync("Amal Haddad");
        await page.GetByLabel("Email (never shown)").FillAsync("page.partner@example.org");
        await page.GetByLabel("I agree to sign this letter.").CheckAsync();
        await box.CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await page.GetByText("Check your email").WaitForAsync();
        await smtp.WaitForMailAsync("page.partner@example.org");
        var signed = await SignedAsync(letter, "page.partner@example.org");
        Assert.Equal(((long)partner["id"]!, true), ((long)signed["partnerId"]!, (bool)signed["partnerConsent"]!));

        // A code the letter does not have is ignored: the form asks nothing and credits no one.
        var plain = await chromium.OpenAsync($"{app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority)}/letters/{letter["slug"]}?lang=en&partner=nobody");
        await plain.GetByLabel("Your name").WaitForAsync();
        Assert.Equal(0, await plain.GetByText("contact me about this campaign").CountAsync());
    }
}

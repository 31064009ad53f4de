using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Features.Signing;

/// <summary>The signing journey against a real SMTP server: sign, get the email, confirm, appear on the list.</summary>
public sealed class SignTests : SmtpAppTest
{
    [Fact]
    public async Task Sign_mail_page_confirm_and_listed_as_the_contract_shows()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Stop the data-sharing deal" });
        var client = app.Anonymous();

        var signed = await client.SignAsync(letter, Signer.Individual("jane.roe@example.org", "Dr Jane Roe", organisation: "Refugee Legal Group UK"));
        Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);

        var mail = await smtp.WaitForMailAsync("jane.roe@example.org");
        Assert.Contains("Stop the data-sharing deal", mail.Subject);
        Assert.NotNull(mail.HtmlBody);
        var token = Signer.TokenFrom(mail, "verify");
        // No query naming the letter on a signer's own links: proxies and CDNs log queries.
        Assert.Contains("http://undersigned.test/withdraw#", mail.TextBody);
        Assert.DoesNotMatch(@"/(verify|withdraw|stop-sharing)\?", mail.TextBody);
        Assert.DoesNotMatch(@"/(verify|withdraw|stop-sharing)\?", mail.HtmlBody);

        var page = await client.GetAsync($"/verify?letter={letter["slug"]}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Stop the data-sharing deal", await page.Content.ReadAsStringAsync());
        Assert.Empty(await client.PublicSignatoriesAsync(letter));
        Assert.Equal(0, (int)(await client.PublicLetterAsync(letter))["counts"]!["total"]!);

        var confirmed = await client.VerifyAsync(token);
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal("confirmed", (string?)(await confirmed.JsonAsync())["status"]);

        var listed = Assert.Single(await client.PublicSignatoriesAsync(letter));
        Assert.Equal("Dr Jane Roe (Refugee Legal Group UK)", (string?)listed!["display"]);
        Assert.Equal(1, (int)(await client.PublicLetterAsync(letter))["counts"]!["individuals"]!);
        // Used again (a second click, a retry after a lost answer): confirmed already, and nothing changes.
        var again = await (await client.VerifyAsync(token)).JsonAsync();
        Assert.Equal(("confirmed", true), ((string)again["status"]!, (bool)again["alreadyConfirmed"]!));
        Assert.Single(await client.PublicSignatoriesAsync(letter));
    }

    [Fact]
    public async Task Display_formats_organisations_first_and_unnamed_signers_only_counted()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        var signers = new[]
        {
            Signer.Individual("a@example.org", "Amal Haddad", role: "Caseworker", organisation: "Migrant Voice"),
            Signer.Individual("b@example.org", "Ben Okafor", role: "Professor"),
            Signer.Individual("c@example.org", "Chen Wei"),
            Signer.Individual("d@example.org", "Dana Hidden", showName: false),
            Signer.Organisation("e@example.org", "Open Rights Group", contact: "Never Shown", role: "Secret Role"),
        };
        foreach (var signer in signers)
        {
            await client.SignAsync(letter, signer);
            await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync((string)signer["email"]!), "verify"));
        }

        var listed = await client.PublicSignatoriesAsync(letter);
        Assert.Equal(["Open Rights Group", "Amal Haddad (Caseworker, Migrant Voice)", "Ben Okafor (Professor)", "Chen Wei"],
            listed.Select(s => (string)s!["display"]!));
        var text = listed.ToJsonString();
        Assert.DoesNotContain("Never Shown", text);
        Assert.DoesNotContain("Secret Role", text);
        Assert.DoesNotContain("Dana", text);
        var counts = (await client.PublicLetterAsync(letter))["counts"]!;
        Assert.Equal((1, 4, 1, 5), ((int)counts["organisations"]!, (int)counts["individuals"]!, (int)counts["notNamed"]!, (int)counts["total"]!));
    }

    [Fact]
    public async Task A_duplicate_gets_the_same_answer_and_a_capped_email()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        var signer = Signer.Individual("dup@example.org");

        var first = await client.SignAsync(letter, signer);
        var again = await client.SignAsync(letter, signer);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Equal(first.StatusCode, again.StatusCode);

        // The pending duplicate re-sent the same link, so the first email the signer opens works.
        var resent = Signer.TokenFrom(await smtp.WaitForMailAsync("dup@example.org", 2), "verify");
        var firstSent = Signer.TokenFrom(await smtp.WaitForMailAsync("dup@example.org", 1), "verify");
        Assert.Equal(firstSent, resent);
        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(firstSent)).StatusCode);

        // Confirmed: a third try says "already signed"; a fourth sends nothing (three mails a signature at most).
        await client.SignAsync(letter, signer);
        Assert.Contains("already signed", (await smtp.WaitForMailAsync("dup@example.org", 3)).Subject);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(letter, signer)).StatusCode);
        await client.SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org"); // sent after anything the fourth try could have sent
        Assert.Equal(3, smtp.CountTo("dup@example.org"));
        Assert.Single(await client.PublicSignatoriesAsync(letter));
    }

    [Fact]
    public async Task A_stranger_cannot_choose_what_a_signer_publishes()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        await client.SignAsync(letter, Signer.Individual("victim@example.org", "Attacker Chosen Name", organisation: "Evil Front Group"));
        var strangers = await smtp.WaitForMailAsync("victim@example.org");
        Assert.Contains("Attacker Chosen Name (Evil Front Group)", strangers.TextBody);

        // The victim signs properly, unnamed; the newest email says exactly what will be published.
        await client.SignAsync(letter, Signer.Individual("victim@example.org", "Vera Victim", showName: false));
        var own = await smtp.WaitForMailAsync("victim@example.org", 2);
        Assert.DoesNotContain("Attacker", own.TextBody);
        Assert.Contains("will not be shown", own.TextBody);
        Assert.Contains("Not you", own.TextBody);
        var token = Signer.TokenFrom(own, "verify");
        await (await client.VerifyAsync(Signer.TokenFrom(strangers, "verify"))).ProblemAsync(400);

        // The page shows it before anything changes, and asking changes nothing.
        var preview = await (await client.PostAsJsonAsync("/api/public/signatures/verify", new { token, preview = true })).JsonAsync();
        Assert.Equal(("pending", "Vera Victim", false), ((string)preview["status"]!, (string)preview["signatory"]!, (bool)preview["showName"]!));
        Assert.Equal(1, (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!["pending"]!);

        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(token)).StatusCode);
        Assert.Empty(await client.PublicSignatoriesAsync(letter));
        Assert.Equal(1, (int)(await client.PublicLetterAsync(letter))["counts"]!["notNamed"]!);

        // Once confirmed, another submission with the address changes nothing that is published.
        await client.SignAsync(letter, Signer.Individual("victim@example.org", "Attacker Chosen Name", organisation: "Evil Front Group"));
        Assert.Contains("already signed", (await smtp.WaitForMailAsync("victim@example.org", 3)).Subject);
        Assert.Empty(await client.PublicSignatoriesAsync(letter));
        var row = Assert.Single((await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray())!;
        Assert.Equal(("Vera Victim", false), ((string)row["name"]!, (bool)row["showName"]!));
    }

    [Fact]
    public async Task The_confirmation_email_and_page_show_an_organisation_as_it_will_be_listed()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Organisation("org@example.org", "Open Rights Group", contact: "Sam Contact"));
        var mail = await smtp.WaitForMailAsync("org@example.org");
        Assert.Contains("“Open Rights Group”", mail.TextBody);
        var preview = await (await app.Anonymous().PostAsJsonAsync("/api/public/signatures/verify",
            new { token = Signer.TokenFrom(mail, "verify"), preview = true })).JsonAsync();
        Assert.Equal(("Open Rights Group", true), ((string)preview["signatory"]!, (bool)preview["showName"]!));
        await (await app.Anonymous().PostAsJsonAsync("/api/public/signatures/verify", new { token = "forgedforgedforgedforg", preview = true })).ProblemAsync(400);
    }

    [Fact]
    public async Task A_strangers_submissions_use_up_an_address_for_a_day_not_for_good()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        for (var i = 0; i < 3; i++) await client.SignAsync(letter, Signer.Individual("target@example.org", "Stranger Name"));
        await smtp.WaitForMailAsync("target@example.org", 3);
        await client.SignAsync(letter, Signer.Individual("target@example.org", "Real Person")); // today's three are used
        await client.SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(3, smtp.CountTo("target@example.org"));

        app.Clock.Advance(TimeSpan.FromDays(1));
        await client.SignAsync(letter, Signer.Individual("target@example.org", "Real Person"));
        var mail = await smtp.WaitForMailAsync("target@example.org", 4);
        Assert.Contains("“Real Person”", mail.TextBody);
        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
        Assert.Equal("Real Person", (string?)Assert.Single(await client.PublicSignatoriesAsync(letter))!["display"]);
    }

    [Fact]
    public async Task One_address_signing_many_times_at_once_makes_one_signature()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        // Arriving together, they share the writer's batches: the duplicates must not cost the others their place.
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SignAsync(letter, Signer.Individual("eager@example.org"))));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        var all = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        Assert.Equal("eager@example.org", (string?)Assert.Single(all)!["email"]);
    }

    [Fact]
    public async Task Zero_width_spaces_are_stripped_so_names_that_look_the_same_are_the_same()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("zw@example.org", "Zero\u200bWidth\u2060Name\ufeff", organisation: "Org\u200b"));
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("zw@example.org"), "verify"));
        Assert.Equal("ZeroWidthName (Org)", (string?)Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter))!["display"]);
    }

    [Fact]
    public async Task One_address_gets_at_most_five_emails_a_day_across_letters()
    {
        var client = app.Anonymous();
        for (var i = 0; i < 6; i++)
            await client.SignAsync(await app.CreatePublishedLetterAsync(), Signer.Individual("flooded@example.org"));
        await client.SignAsync(await app.CreatePublishedLetterAsync(), Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(5, smtp.CountTo("flooded@example.org"));

        app.Clock.Advance(TimeSpan.FromDays(1));
        await client.SignAsync(await app.CreatePublishedLetterAsync(), Signer.Individual("flooded@example.org"));
        await smtp.WaitForMailAsync("flooded@example.org", 6);
    }

    [Fact]
    public async Task An_email_signs_once_per_kind_and_case_and_spaces_do_not_make_it_new()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        await client.SignAsync(letter, Signer.Individual("Same@Example.org"));
        await client.SignAsync(letter, Signer.Individual("  same@example.ORG "));
        await client.SignAsync(letter, Signer.Organisation("same@example.org", "Same Org"));
        await smtp.WaitForMailAsync("same@example.org");

        var signatures = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync();
        Assert.Equal(["organisation", "individual"], signatures["items"]!.AsArray().Select(s => (string)s!["kind"]!));
    }

    [Fact]
    public async Task A_link_works_only_for_the_signature_it_names()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        await client.SignAsync(letter, Signer.Individual("first.link@example.org", "First Person"));
        await client.SignAsync(letter, Signer.Individual("second.link@example.org", "Second Person"));
        var first = await smtp.WaitForMailAsync("first.link@example.org");
        var second = await smtp.WaitForMailAsync("second.link@example.org");
        static (string Id, string Mac) Parts(string token) => (token.Split('.')[0], token.Split('.')[1]);

        // One signature's id with another's code, or a code changed by one character: neither confirms nor withdraws.
        var (firstId, firstMac) = Parts(Signer.TokenFrom(first, "verify"));
        var (_, secondMac) = Parts(Signer.TokenFrom(second, "verify"));
        await (await client.VerifyAsync($"{firstId}.{secondMac}")).ProblemAsync(400);
        await (await client.VerifyAsync($"{firstId}.{(firstMac[0] == 'A' ? 'B' : 'A')}{firstMac[1..]}")).ProblemAsync(400);
        var (_, secondWithdrawMac) = Parts(Signer.TokenFrom(second, "withdraw"));
        await (await client.WithdrawAsync($"{firstId}.{secondWithdrawMac}")).ProblemAsync(400);
        // A verification link is not a withdraw link.
        await (await client.WithdrawAsync(Signer.TokenFrom(first, "verify"))).ProblemAsync(400);
        Assert.Equal(2, (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!["pending"]!);
    }

    [Fact]
    public async Task Tokens_expire_after_seven_days_or_the_grace_period_and_an_extension_helps()
    {
        var client = app.Anonymous();
        var week = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddDays(30).ToString("O") });
        await client.SignAsync(week, Signer.Individual("slow@example.org"));
        var slowToken = Signer.TokenFrom(await smtp.WaitForMailAsync("slow@example.org"), "verify");

        var soon = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddHours(1).ToString("O") });
        await client.SignAsync(soon, Signer.Individual("grace@example.org"));
        await client.SignAsync(soon, Signer.Individual("late@example.org"));
        await client.SignAsync(soon, Signer.Individual("extended@example.org"));
        var graceToken = Signer.TokenFrom(await smtp.WaitForMailAsync("grace@example.org"), "verify");
        var lateToken = Signer.TokenFrom(await smtp.WaitForMailAsync("late@example.org"), "verify");
        var extendedToken = Signer.TokenFrom(await smtp.WaitForMailAsync("extended@example.org"), "verify");

        app.Clock.Advance(TimeSpan.FromHours(24)); // closed 23 h ago: inside the 24 h grace
        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(graceToken)).StatusCode);
        app.Clock.Advance(TimeSpan.FromHours(2)); // past the grace
        await (await client.VerifyAsync(lateToken)).ProblemAsync(410);

        await app.Admin().PostAsJsonAsync($"/api/letters/{soon["id"]}/deadline", new { closesAt = app.Clock.GetUtcNow().AddDays(2), reason = "More time" });
        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(extendedToken)).StatusCode);

        app.Clock.Advance(TimeSpan.FromDays(6)); // 7 days and 2 hours after the slow signer's email
        await (await client.VerifyAsync(slowToken)).ProblemAsync(410);
        await (await client.VerifyAsync("forgedforgedforgedforg")).ProblemAsync(400);

        // Signing again after the link expired mails a new link; the expired one stays dead.
        await client.SignAsync(week, Signer.Individual("slow@example.org"));
        var renewed = Signer.TokenFrom(await smtp.WaitForMailAsync("slow@example.org", 2), "verify");
        Assert.NotEqual(slowToken, renewed);
        await (await client.VerifyAsync(slowToken)).ProblemAsync(400);
        Assert.Equal(HttpStatusCode.OK, (await client.VerifyAsync(renewed)).StatusCode);
    }

    [Fact]
    public async Task Signing_only_while_open_and_only_against_the_current_text()
    {
        var client = app.Anonymous();
        var scheduled = await app.CreatePublishedLetterAsync(new { opensAt = TestApp.Start.AddHours(1).ToString("O") });
        var before = await client.SignAsync(scheduled, Signer.Individual("early@example.org"));
        await before.ProblemAsync(409);
        Assert.Contains("opens at", (string?)(await before.JsonAsync())["detail"]);

        var letter = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddHours(2).ToString("O") });
        var etag = (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag;
        await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { body = "A clearer text." }, etag);
        Assert.Equal(["textVersion"], await (await client.SignAsync(letter, Signer.Individual("stale@example.org"))).ProblemAsync(409));
        var current = Signer.Individual("current@example.org");
        current["textVersion"] = 2;
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(letter, current)).StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(2));
        await (await client.SignAsync(letter, current)).ProblemAsync(410);
        await (await client.SignAsync(new JsonObject { ["slug"] = "no-such-letter" }, current)).ProblemAsync(404);
        await (await client.SignAsync(await app.CreateLetterAsync(), current)).ProblemAsync(404); // drafts do not exist publicly
    }

    [Fact]
    public async Task A_browser_on_a_site_outside_allowed_origins_cannot_sign()
    {
        var letter = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://partner.org" } });
        async Task<HttpResponseMessage> SignFrom(string? origin, string email)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/public/letters/{letter["slug"]}/signatures")
            {
                Content = JsonContent.Create(Signer.Individual(email)),
            };
            if (origin is not null) request.Headers.Add("Origin", origin);
            return await app.Anonymous().SendAsync(request);
        }

        await (await SignFrom("https://evil.example", "victim@example.org")).ProblemAsync(403);
        // The service's own origin is its public base URL's, not the Host a client chooses to send.
        var hostSpoofed = new HttpRequestMessage(HttpMethod.Post, $"/api/public/letters/{letter["slug"]}/signatures")
        {
            Content = JsonContent.Create(Signer.Individual("victim@example.org")),
        };
        hostSpoofed.Headers.Add("Origin", "http://evil.example");
        hostSpoofed.Headers.Host = "evil.example";
        await (await app.Anonymous().SendAsync(hostSpoofed)).ProblemAsync(403);
        Assert.Equal(HttpStatusCode.Accepted, (await SignFrom("http://undersigned.test", "embedded@example.org")).StatusCode);
        await (await SignFrom("null", "victim@example.org")).ProblemAsync(403);
        Assert.Equal(HttpStatusCode.Accepted, (await SignFrom("https://partner.org", "friend@example.org")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SignFrom(null, "direct@example.org")).StatusCode);
        await smtp.WaitForMailAsync("direct@example.org");
        Assert.Equal(0, smtp.CountTo("victim@example.org"));
    }

    [Fact]
    public async Task The_honeypot_answers_as_usual_and_stores_and_sends_nothing()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var bot = Signer.Individual("bot@example.org");
        bot["website"] = "https://spam.example";
        var human = await app.Anonymous().SignAsync(letter, Signer.Individual("human@example.org"));
        var trapped = await app.Anonymous().SignAsync(letter, bot);

        Assert.Equal(HttpStatusCode.Accepted, trapped.StatusCode);
        Assert.Equal(await human.Content.ReadAsStringAsync(), await trapped.Content.ReadAsStringAsync());
        await app.Anonymous().SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(0, smtp.CountTo("bot@example.org"));
        Assert.Equal(2, (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!["pending"]!);
    }

    [Theory]
    [InlineData("name", "Jane\u0007Roe")]
    [InlineData("name", "Jane https://spam.example")]
    [InlineData("name", "www.spam.example")]
    [InlineData("name", "jane@example.org")]
    [InlineData("name", "")]
    [InlineData("role", "Buy now at spam.com")]
    [InlineData("organisation", "Line\nbreak")]
    [InlineData("name", "Evil\u202eNAME")]
    [InlineData("name", "Isolated\u2067name\u2069")]
    [InlineData("name", "x\u2028y")]
    [InlineData("role", "x\u2029y")]
    [InlineData("name", "jane＠example．org")]
    [InlineData("organisation", "\u202emoc.live//:sptth")]
    [InlineData("email", "not-an-email")]
    [InlineData("email", "jane@localhost")]
    [InlineData("email", "root@[10.0.0.1]")]
    [InlineData("email", "root@10.0.0.1")]
    [InlineData("email", "")]
    [InlineData("kind", "robot")]
    public async Task Refuses_bad_fields_by_name(string field, string value)
    {
        var letter = await app.CreatePublishedLetterAsync();
        var signature = Signer.Individual("field@example.org");
        signature[field] = value;
        Assert.Contains(field, await (await app.Anonymous().SignAsync(letter, signature)).ProblemAsync(400));
    }

    [Fact]
    public async Task Refuses_missing_consent_oversized_names_and_organisations_without_a_name()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var noConsent = Signer.Individual("x@example.org");
        noConsent["consent"] = false;
        Assert.Equal(["consent"], await (await app.Anonymous().SignAsync(letter, noConsent)).ProblemAsync(400));
        noConsent.Remove("consent");
        Assert.Equal(["consent"], await (await app.Anonymous().SignAsync(letter, noConsent)).ProblemAsync(400));

        var longName = Signer.Individual("x@example.org", new string('a', 121));
        Assert.Equal(["name"], await (await app.Anonymous().SignAsync(letter, longName)).ProblemAsync(400));

        var organisation = Signer.Organisation("x@example.org", "Org");
        organisation.Remove("organisation");
        Assert.Equal(["organisation"], await (await app.Anonymous().SignAsync(letter, organisation)).ProblemAsync(400));

        var response = await app.Anonymous().PostAsync($"/api/public/letters/{letter["slug"]}/signatures",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Jane" }));
        await response.ProblemAsync(415);
    }

    [Fact]
    public async Task A_signer_s_problems_are_in_plain_words_in_the_language_read_then_the_browser_s_and_keep_their_keys()
    {
        var letter = await app.CreateLetterAsync();
        foreach (var lang in new[] { "cy", "fr" })
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PutAsJsonAsync($"/api/letters/{letter["id"]}/translations/{lang}",
                new { title = $"Title in {lang}", body = $"Body in {lang}", consentText = $"Consent in {lang}" })).StatusCode);
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);

        async Task<JsonObject> ProblemAsync(JsonObject body, string? acceptLanguage, int status = 400)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/public/letters/{letter["slug"]}/signatures") { Content = JsonContent.Create(body) };
            if (acceptLanguage is not null) request.Headers.Add("Accept-Language", acceptLanguage);
            var response = await app.Anonymous().SendAsync(request);
            await response.ProblemAsync(status);
            return await response.JsonAsync();
        }
        static Dictionary<string, string> Reasons(JsonObject problem)
            => problem["errors"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["reason"]!);

        var empty = Signer.Organisation("not-an-email", "");
        empty["name"] = "";
        empty["consent"] = false;
        var english = await ProblemAsync(empty, null);
        Assert.Equal("There is a problem", (string)english["detail"]!);
        Assert.Equal(new Dictionary<string, string>
        {
            ["name"] = "Enter your name",
            ["organisation"] = "Enter the name of your organisation",
            ["email"] = "Enter an email address in the correct format, like name@example.com",
            ["consent"] = "Tick the box to agree to your name being added to the letter",
        }, Reasons(english));

        // The letter read in Welsh; or in French, which the service has no words for, by a Welsh browser: Welsh either way.
        empty["language"] = "cy";
        var welsh = await ProblemAsync(empty, "en");
        empty["language"] = "fr";
        Assert.Equal(Reasons(welsh), Reasons(await ProblemAsync(empty, "cy-GB, en;q=0.5")));
        Assert.Equal("Mae yna broblem", (string)welsh["detail"]!);
        Assert.Equal("Rhowch eich enw", Reasons(welsh)["name"]);
        Assert.Equal(english.Select(e => e.Key).Order(), welsh.Select(e => e.Key).Order()); // the problem's fields, and its keys
        Assert.Equal(Reasons(english).Keys.Order(), Reasons(welsh).Keys.Order());

        var stale = Signer.Individual("stale@example.org");
        stale["language"] = "cy";
        stale["textVersion"] = 99;
        Assert.Equal("Mae’r llythyr wedi newid ers i chi ei agor. Darllenwch ef eto cyn llofnodi", Reasons(await ProblemAsync(stale, null, 409))["textVersion"]);
        // A client's own mistake (not the signer's) keeps its developer's reason.
        var badPartner = Signer.Individual("partner@example.org");
        badPartner["partner"] = "nobody";
        Assert.Equal("is not attached to this letter.", Reasons(await ProblemAsync(badPartner, "cy"))["partner"]);
    }

    [Theory]
    [InlineData("Arabic", "ليلى حداد")]
    [InlineData("Persian", "نیلوفر می‌خواهد")]
    [InlineData("Cyrillic", "Ольга Петренко")]
    [InlineData("Geez", "ሰላማዊት ገብረ")]
    [InlineData("Chinese", "王秀英")]
    [InlineData("Vietnamese", "Nguyễn Thị Hoài")]
    [InlineData("Latin", "Zoë Ðorđević-Øster")]
    [InlineData("Hebrew with a mark", "דנה כהן\u200f")]
    public async Task Names_in_every_script_come_back_unchanged_in_NFC(string script, string name)
    {
        Assert.NotNull(script);
        var letter = await app.CreatePublishedLetterAsync();
        var email = $"{Guid.NewGuid():N}@example.org";
        var decomposed = name.Normalize(System.Text.NormalizationForm.FormD);
        await app.Anonymous().SignAsync(letter, Signer.Individual(email, decomposed, organisation: name));
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"));

        var listed = Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter))!;
        Assert.Equal(name.Normalize(), (string?)listed["name"]);
        Assert.Equal($"{name.Normalize()} ({name.Normalize()})", (string?)listed["display"]);
    }

    [Fact]
    public async Task Moderation_holds_confirmed_organisations_for_review_until_approved()
    {
        var letter = await app.CreateLetterAsync(new { moderation = "organisations" });
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        var client = app.Anonymous();
        await client.SignAsync(letter, Signer.Organisation("org@example.org", "Liberty"));
        await client.SignAsync(letter, Signer.Individual("person@example.org", "Pat Person"));
        var orgResult = await (await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("org@example.org"), "verify"))).JsonAsync();
        await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("person@example.org"), "verify"));
        Assert.Equal("review", (string?)orgResult["status"]);
        Assert.Equal(["Pat Person"], (await client.PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!));

        var staff = await app.StaffAsync();
        var inReview = await (await staff.GetAsync($"/api/letters/{letter["id"]}/signatures?status=review")).JsonAsync();
        var id = (long)Assert.Single(inReview["items"]!.AsArray())!["id"]!;
        Assert.Equal("org@example.org", (string?)inReview["items"]![0]!["email"]);
        var approved = await staff.PostAsync($"/api/letters/{letter["id"]}/signatures/{id}/approve", null);
        Assert.Equal("confirmed", (string?)(await approved.JsonAsync())["status"]);
        await (await staff.PostAsync($"/api/letters/{letter["id"]}/signatures/{id}/approve", null)).ProblemAsync(409);
        Assert.Equal(["Liberty", "Pat Person"], (await client.PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!));

        var rejected = await staff.PostAsync($"/api/letters/{letter["id"]}/signatures/{id}/reject", null);
        Assert.Equal("rejected", (string?)(await rejected.JsonAsync())["status"]);
        Assert.Equal(["Pat Person"], (await client.PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!));
        await (await staff.PostAsync($"/api/letters/{letter["id"]}/signatures/99999/reject", null)).ProblemAsync(404);
        Assert.Equal(["status"], await (await staff.GetAsync($"/api/letters/{letter["id"]}/signatures?status=maybe")).ProblemAsync(400));
    }

    [Fact]
    public async Task Staff_add_signatories_who_signed_another_way_without_email_confirmation()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var (staffKey, staffId) = await app.NewKeyAsync();
        var staff = app.WithKey(staffKey);
        var added = await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "organisation", name = "Contact Person", organisation = "Paper Signers Union", email = "paper@example.org", showName = true });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = await added.JsonAsync();
        Assert.Equal(("confirmed", staffId), ((string)body["status"]!, (long)body["staffAddedBy"]!));

        var noEmail = await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures", new { kind = "individual", name = "Ink Only", showName = true });
        Assert.Equal(HttpStatusCode.Created, noEmail.StatusCode);

        var duplicate = await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "organisation", name = "Other", organisation = "Again", email = "PAPER@example.org", showName = true });
        Assert.Equal(["email"], await duplicate.ProblemAsync(409));
        Assert.Equal(["Paper Signers Union", "Ink Only"], (await app.Anonymous().PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!));

        await app.Anonymous().SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(0, smtp.CountTo("paper@example.org"));
        var draft = await app.CreateLetterAsync();
        await (await staff.PostAsJsonAsync($"/api/letters/{draft["id"]}/signatures", new { kind = "individual", name = "X", showName = true })).ProblemAsync(409);
    }

    [Fact]
    public async Task Withdrawal_erases_the_signer_and_takes_them_off_the_list()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("leaving@example.org", "Leaving Person"));
        var mail = await smtp.WaitForMailAsync("leaving@example.org");
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"));
        Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter));

        var withdrawn = await app.Anonymous().WithdrawAsync(Signer.TokenFrom(mail, "withdraw"));
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Empty(await app.Anonymous().PublicSignatoriesAsync(letter));
        var row = Assert.Single((await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray())!;
        Assert.Equal("withdrawn", (string?)row["status"]);
        Assert.Null(row["name"]);
        Assert.Null(row["email"]);
        await (await app.Anonymous().WithdrawAsync("forgedforgedforgedforg")).ProblemAsync(400);
    }

    [Fact]
    public async Task A_withdraw_link_survives_repeat_submissions_and_access_requests()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        await client.SignAsync(letter, Signer.Individual("keeper@example.org", "Kept Link"));
        var first = await smtp.WaitForMailAsync("keeper@example.org");
        await client.SignAsync(letter, Signer.Individual("keeper@example.org", "Kept Link")); // pending: the link is sent again
        await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("keeper@example.org", 2), "verify"));
        await client.SignAsync(letter, Signer.Individual("keeper@example.org", "Stranger")); // confirmed: "already signed"
        await smtp.WaitForMailAsync("keeper@example.org", 3);
        await client.PostAsJsonAsync("/api/public/data-requests", new { email = "keeper@example.org" });
        await smtp.WaitForMailAsync("keeper@example.org", 4);

        Assert.Equal(HttpStatusCode.OK, (await client.WithdrawAsync(Signer.TokenFrom(first, "withdraw"))).StatusCode);
        Assert.Empty(await client.PublicSignatoriesAsync(letter));
    }

    [Fact]
    public async Task No_email_or_token_reaches_a_public_response_the_database_file_or_the_log()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        var emails = new[] { "private.person@example.org", "secret.org@example.org" };
        var publicBodies = new List<string>
        {
            await (await client.SignAsync(letter, Signer.Individual(emails[0], "Private Person"))).Content.ReadAsStringAsync(),
            await (await client.SignAsync(letter, Signer.Organisation(emails[1], "Secret Org"))).Content.ReadAsStringAsync(),
        };
        var tokens = new List<string>();
        foreach (var email in emails)
        {
            var mail = await smtp.WaitForMailAsync(email);
            tokens.Add(Signer.TokenFrom(mail, "verify"));
            tokens.Add(Signer.TokenFrom(mail, "withdraw"));
            publicBodies.Add(await (await client.VerifyAsync(Signer.TokenFrom(mail, "verify"))).Content.ReadAsStringAsync());
        }
        publicBodies.Add(await client.GetStringAsync($"/api/public/letters/{letter["slug"]}"));
        publicBodies.Add(await client.GetStringAsync($"/api/public/letters/{letter["slug"]}/signatories"));
        publicBodies.Add(await client.GetStringAsync($"/verify?letter={letter["slug"]}"));

        foreach (var secret in emails.Concat(tokens))
            Assert.DoesNotContain(publicBodies, body => body.Contains(secret, StringComparison.OrdinalIgnoreCase));

        foreach (var secret in emails.Concat(tokens))
        {
            Assert.False(await app.StoresAsync(secret));
            Assert.DoesNotContain(app.Logs, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Delivery;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Translations;

/// <summary>One letter in English, Welsh and Arabic: one list of signatories, text versions per language.</summary>
public sealed class TranslationsTests : SmtpAppTest
{
    const string ArabicTitle = "احموا بيانات المهاجرين";
    const string ArabicBody = "نحن الموقعين أدناه نطالبكم بحماية بيانات المهاجرين.";
    const string ArabicConsent = "أوافق على إضافة اسمي إلى هذه الرسالة.";

    /// <summary>Twenty signers from one test address: the per-address limits are not what this tests.</summary>
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000";
        settings["Undersigned:RateLimits:BurstHold:PermitLimit"] = "1000";
    }

    async Task<HttpResponseMessage> PutAsync(JsonObject letter, string lang, object translation, string? etag = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/letters/{letter["id"]}/translations/{lang}") { Content = JsonContent.Create(translation) };
        if (etag is not null) request.Headers.TryAddWithoutValidation("If-Match", etag);
        return await app.Admin().SendAsync(request);
    }

    async Task<string> ETagOfAsync(JsonObject letter, string lang)
        => (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/translations/{lang}")).Headers.ETag!.Tag;

    async Task<JsonObject> PublicAsync(JsonObject letter, string lang)
        => await (await app.Anonymous().GetAsync($"/api/public/letters/{letter["slug"]}?lang={lang}")).JsonAsync();

    static JsonObject InArabic(string email, int textVersion, string name = "ليلى حداد")
    {
        var signature = Signer.Individual(email, name);
        signature["language"] = "ar";
        signature["textVersion"] = textVersion;
        return signature;
    }

    async Task SignAndConfirmAsync(JsonObject letter, JsonObject signature)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
        var mail = await smtp.WaitForMailAsync((string)signature["email"]!);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
    }

    [Fact]
    public async Task Signers_in_every_language_share_one_list_and_each_language_keeps_its_own_text_versions()
    {
        var letter = await app.CreateLetterAsync(new { title = "Protect migrants' data", language = "en" });
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(letter, "cy", new { title = "Diogelwch data ymfudwyr", body = "Rydym ni yn gofyn i chi." })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(letter, "ar", new { title = ArabicTitle, body = ArabicBody, target = "وزيرة الداخلية", consentText = ArabicConsent })).StatusCode);
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);

        var arabic = await PublicAsync(letter, "ar");
        Assert.Equal(("ar", "rtl", ArabicTitle, 1), ((string)arabic["language"]!, (string)arabic["direction"]!, (string)arabic["title"]!, (int)arabic["textVersion"]!));
        Assert.Equal(["en", "ar", "cy"], arabic["languages"]!.AsArray().Select(l => (string)l!["language"]!));
        var unknown = await PublicAsync(letter, "fr");
        Assert.Equal(("en", "unavailable"), ((string)unknown["language"]!, (string)unknown["fallback"]!));

        // The Welsh text changes: Arabic signers need not read again. The Arabic text changes: they must.
        var welsh = await PutAsync(letter, "cy", new { title = "Diogelwch data ymfudwyr", body = "Rydym ni, sydd wedi llofnodi, yn gofyn i chi." }, await ETagOfAsync(letter, "cy"));
        Assert.Equal(2, (int)(await welsh.JsonAsync())["textVersion"]!);
        var early = InArabic("arabic0@example.org", 1, "ليلى الأولى");
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, early)).StatusCode);
        await PutAsync(letter, "ar", new { title = ArabicTitle, body = ArabicBody + " شكراً.", target = "وزيرة الداخلية", consentText = ArabicConsent }, await ETagOfAsync(letter, "ar"));
        Assert.Equal(["textVersion"], await (await app.Anonymous().SignAsync(letter, InArabic("late@example.org", 1))).ProblemAsync(409));
        var french = Signer.Individual("fr@example.org");
        french["language"] = "fr";
        Assert.Equal(["language"], await (await app.Anonymous().SignAsync(letter, french)).ProblemAsync(400));

        // Ten in Arabic (one confirming the earlier Arabic wording), ten in English; counted and listed together.
        var earlyMail = await smtp.WaitForMailAsync("arabic0@example.org");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(earlyMail, "verify"))).StatusCode);
        for (var i = 1; i < 10; i++) await SignAndConfirmAsync(letter, InArabic($"arabic{i}@example.org", 2, $"ليلى {i}"));
        for (var i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
                new { kind = "individual", name = $"English Signer {i}", showName = true })).StatusCode);
        var names = (await app.Anonymous().PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!).ToList();
        Assert.Equal(20, names.Count);
        Assert.Contains("ليلى الأولى", names);

        var read = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync();
        var byLanguage = read["languageCounts"]!.AsArray().ToDictionary(c => (string)c!["language"]!, c => (long)c!["confirmed"]!);
        Assert.Equal(new Dictionary<string, long> { ["ar"] = 10, ["en"] = 10 }, byLanguage);
        Assert.Equal((long)read["counts"]!["confirmed"]!, byLanguage.Values.Sum());

        // The pack names every language's version and hash; counts per language only when asked; the Arabic text on request.
        var pack = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Contains("Published in en: text version 1, SHA-256 ", pack);
        Assert.Contains("; ar: text version 2, SHA-256 ", pack);
        Assert.Contains("; cy: text version 2, SHA-256 ", pack);
        Assert.DoesNotContain("by language", pack);
        Assert.Contains("by language signed in: ar 10, en 10.", await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md?languageCounts=true"));
        var arabicPack = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md?lang=ar");
        Assert.Contains($"# {ArabicTitle}", arabicPack);
        Assert.Contains("ليلى الأولى\u2069 †", arabicPack); // signed the earlier Arabic wording
        Assert.DoesNotContain("English Signer 0\u2069 †", arabicPack);
        var pdf = await DeliveryTests.PdfTextAsync(await app.Admin().GetByteArrayAsync($"/api/letters/{letter["id"]}/delivery.pdf?lang=ar"));
        Assert.Contains("بيانات المهاجرين", pdf);
        Assert.Contains("وزيرة الداخلية", pdf);

        // The English text changes: the translations are outdated, not served, and not signed, until staff update them.
        var etag = (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { body = "We ask you, again, to protect migrants' data." }, etag)).StatusCode);
        var outdated = await PublicAsync(letter, "ar");
        Assert.Equal(("en", "outdated", 2), ((string)outdated["language"]!, (string)outdated["fallback"]!, (int)outdated["textVersion"]!));
        Assert.Equal(["en"], outdated["languages"]!.AsArray().Select(l => (string)l!["language"]!));
        Assert.Equal(["textVersion"], await (await app.Anonymous().SignAsync(letter, InArabic("arabic10@example.org", 2))).ProblemAsync(409));
        var listed = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/translations")).JsonAsync();
        Assert.All(listed["items"]!.AsArray(), t => Assert.True((bool)t!["outdated"]!));

        // Someone signed in Arabic: it can be hidden, not deleted. Nobody signed in Welsh: it can go.
        Assert.Equal(["lang"], await (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/translations/ar")).ProblemAsync(409));
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/translations/cy")).StatusCode);
        var hidden = await PutAsync(letter, "ar", new { title = ArabicTitle, body = ArabicBody, consentText = ArabicConsent, hidden = true }, await ETagOfAsync(letter, "ar"));
        Assert.False((bool)(await hidden.JsonAsync())["outdated"]!);
        Assert.Equal(["en"], (await PublicAsync(letter, "ar"))["languages"]!.AsArray().Select(l => (string)l!["language"]!));
    }

    [Fact]
    public async Task Emails_come_in_the_language_signed_in_where_the_service_has_its_words_and_updates_in_the_signer_s_language()
    {
        var letter = await app.CreateLetterAsync(new { title = "Protect migrants' data" });
        await PutAsync(letter, "cy", new { title = "Diogelwch data ymfudwyr", body = "Rydym ni yn gofyn i chi." });
        await PutAsync(letter, "ar", new { title = ArabicTitle, body = ArabicBody, consentText = ArabicConsent });
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        async Task<MimeKit.MimeMessage> SignAsync(string email, string? language)
        {
            var signature = Signer.Individual(email, "Sam Roe");
            signature["language"] = language;
            signature["updates"] = true;
            Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
            var mail = await smtp.WaitForMailAsync(email);
            Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
            return mail;
        }

        var welsh = await SignAsync("welsh@example.org", "cy");
        Assert.Equal("Cadarnhewch eich llofnod: Diogelwch data ymfudwyr", welsh.Subject);
        Assert.Contains("I dynnu’ch llofnod yn ôl a dileu eich manylion:", welsh.TextBody);
        var arabic = await SignAsync("arabic@example.org", "ar"); // no Arabic words here: English, with the title as they read it
        Assert.Equal($"Please confirm your signature: {ArabicTitle}", arabic.Subject);
        var english = await SignAsync("english@example.org", null);
        Assert.Equal("Please confirm your signature: Protect migrants' data", english.Subject);

        var sent = await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/updates", new
        {
            subject = "We delivered the letter", body = "The letter reached the Home Office today.",
            translations = new Dictionary<string, object> { ["cy"] = new { subject = "Rydym wedi danfon y llythyr", body = "Cyrhaeddodd y llythyr y Swyddfa Gartref heddiw." } },
        });
        Assert.Equal(3, (int)(await sent.JsonAsync())["recipients"]!);
        var welshUpdate = await smtp.WaitForMailAsync("welsh@example.org", 2);
        Assert.Equal("Rydym wedi danfon y llythyr", welshUpdate.Subject);
        Assert.Contains("Cyrhaeddodd y llythyr", welshUpdate.TextBody);
        Assert.Contains("dad-danysgrifiwch", welshUpdate.TextBody);
        // The unsubscribe page in the signer's language (the token says which; the link names none), whatever the browser.
        var unsubscribe = new Uri(System.Text.RegularExpressions.Regex.Match(welshUpdate.Headers["List-Unsubscribe"]!, "<(?<url>[^>]+)>").Groups["url"].Value);
        Assert.DoesNotContain("lang", unsubscribe.Query);
        var page = await app.Anonymous().GetStringAsync(unsubscribe.PathAndQuery);
        Assert.Contains("<html lang=\"cy\">", page);
        Assert.Contains("<h1>Dad-danysgrifio o’r diweddariadau</h1>", page);
        var done = await app.Anonymous().PostAsync(unsubscribe.PathAndQuery, new FormUrlEncodedContent([KeyValuePair.Create("List-Unsubscribe", "One-Click")]));
        Assert.Contains("<h1>Rydych wedi dad-danysgrifio</h1>", await done.Content.ReadAsStringAsync());
        Assert.Equal("We delivered the letter", (await smtp.WaitForMailAsync("arabic@example.org", 2)).Subject);
        Assert.Equal("We delivered the letter", (await smtp.WaitForMailAsync("english@example.org", 2)).Subject);
        Assert.Equal(["translations"], await (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/updates", new
        {
            subject = "S", body = "B", preview = true, translations = new Dictionary<string, object> { ["not a tag"] = new { subject = "S", body = "B" } },
        })).ProblemAsync(400));
    }

    [Fact]
    public async Task Each_language_signs_its_own_consent_wording_versioned_and_the_CSV_and_the_data_request_say_which()
    {
        var letter = await app.CreateLetterAsync(new { title = "Protect migrants' data", consentText = "I agree to sign this letter." });
        // Arabic has no words of the service's own: its consent wording is required. Welsh has: left out, the standard wording.
        Assert.Equal(["consentText"], await (await PutAsync(letter, "ar", new { title = ArabicTitle, body = ArabicBody })).ProblemAsync(400));
        var welsh = await (await PutAsync(letter, "cy", new { title = "Diogelwch data ymfudwyr", body = "Rydym ni yn gofyn i chi." })).JsonAsync();
        Assert.Equal((Undersigned.Infrastructure.Words.All["cy"][Undersigned.Infrastructure.Words.StandardConsent], 1), ((string)welsh["consentText"]!, (int)welsh["consentVersion"]!));
        welsh = await (await PutAsync(letter, "cy", new { title = "Diogelwch data ymfudwyr", body = "Rydym ni yn gofyn i chi.", consentText = "Rwy’n cytuno i lofnodi’r llythyr hwn." },
            await ETagOfAsync(letter, "cy"))).JsonAsync();
        Assert.Equal(2, (int)welsh["consentVersion"]!);
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        Assert.Equal("Rwy’n cytuno i lofnodi’r llythyr hwn.", (string)(await PublicAsync(letter, "cy"))["consentText"]!);

        var signature = Signer.Individual("welsh.consent@example.org", "Siân Roberts");
        signature["language"] = "cy";
        await SignAndConfirmAsync(letter, signature);
        await SignAndConfirmAsync(letter, Signer.Individual("english.consent@example.org", "Sam Roe"));
        var staff = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        var signed = staff.ToDictionary(s => (string)s!["name"]!, s => ((string?)s!["consentLanguage"], (int?)s!["consentVersion"]));
        Assert.Equal(("cy", 2), signed["Siân Roberts"]);
        Assert.Equal((null, 1), signed["Sam Roe"]);

        var csv = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/export.csv");
        Assert.Contains("\"cy\",\"cy version 2\"", csv);
        Assert.Contains("\"en\",\"en version 1\"", csv);
        await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "welsh.consent@example.org" });
        Assert.Contains("geiriad y caniatâd: Cymraeg fersiwn 2", (await smtp.WaitForMailAsync("welsh.consent@example.org", 2)).TextBody);
    }

    [Fact]
    public async Task A_translation_from_before_consent_was_per_language_is_not_shown_and_not_published_without_its_own_wording()
    {
        var letter = await app.CreateLetterAsync(new { title = "Protect migrants' data" });
        // As a translation written before this rule was stored: in French (no words of the service's own), no consent wording.
        await using (var connection = await app.OpenDatabaseAsync())
            await Dapper.SqlMapper.ExecuteAsync(connection, """
                INSERT INTO letter_translations (letter_id, language, title, body, created_at, updated_at) VALUES (@id, 'fr', 'Protégez', 'Nous demandons.', 0, 0)
                """, new { id = (long)letter["id"]! });
        Assert.Equal(["translations.fr.consentText"], await (await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null)).ProblemAsync(409));
        Assert.Equal("draft", (string)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["status"]!);

        var etag = await ETagOfAsync(letter, "fr");
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(letter, "fr", new { title = "Protégez", body = "Nous demandons.", consentText = "J’accepte de signer." }, etag)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null)).StatusCode);
        Assert.Equal("J’accepte de signer.", (string)(await PublicAsync(letter, "fr"))["consentText"]!);
    }

    [Fact]
    public async Task Translations_are_written_with_If_Match_and_name_what_is_wrong()
    {
        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(["lang"], await (await PutAsync(letter, "not a tag", new { title = "T", body = "B" })).ProblemAsync(400));
        Assert.Equal(["lang"], await (await PutAsync(letter, "en", new { title = "T", body = "B" })).ProblemAsync(409));
        Assert.Equal(["body", "target", "title"], (await (await PutAsync(letter, "cy", new { title = "", target = "Line\nbreak" })).ProblemAsync(400)).Order());
        var created = await PutAsync(letter, "CY", new { title = "Teitl", body = "Corff" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/letters/{letter["id"]}/translations/cy", created.Headers.Location!.OriginalString);
        await (await PutAsync(letter, "cy", new { title = "Teitl 2", body = "Corff" })).ProblemAsync(428);
        await (await PutAsync(letter, "cy", new { title = "Teitl 2", body = "Corff" }, "\"999\"")).ProblemAsync(412);
        var updated = await PutAsync(letter, "cy", new { title = "Teitl 2", body = "Corff" }, created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(["language"], await (await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { language = "cy" },
            (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag)).ProblemAsync(409));
        Assert.Equal(["language"], await (await app.Admin().PostAsJsonAsync("/api/letters", new
        {
            title = "T", body = "B", target = "X", closesAt = app.Clock.GetUtcNow().AddDays(3), language = "english!",
        })).ProblemAsync(400));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Undersigned.Tests.Features.Signing;
using Undersigned.Tests.Features.Widget;

namespace Undersigned.Tests.Features.Translations;

/// <summary>The page and the widget in English, Welsh and Arabic, in real headless Chromium.</summary>
public sealed class TranslatedPagesTests : SmtpAppTest
{
    // The page's links and the widget's requests go where the test server really listens.
    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Undersigned:PublicBaseUrl"] = null;
        settings["Undersigned:Organisation:Name"] = Organisation;
    }

    const string Organisation = "Migrant Voice Cymru";

    string Base => app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority);

    const string ArabicTitle = "احموا بيانات المهاجرين";
    const string WelshTitle = "Diogelwch data ymfudwyr";

    async Task<JsonObject> TrilingualLetterAsync()
    {
        var letter = await app.CreateLetterAsync(new { title = "Protect migrants' data", consentText = "I agree to sign this letter." });
        foreach (var (lang, translation) in new (string, object)[]
                 {
                     ("cy", new { title = WelshTitle, body = "Rydym ni yn gofyn i chi ddiogelu data ymfudwyr.", consentText = "Rwy’n cytuno i lofnodi’r llythyr hwn." }),
                     ("ar", new { title = ArabicTitle, body = "نحن الموقعين أدناه نطالبكم بحماية بيانات المهاجرين وعدم مشاركتها مع أي جهة أخرى.",
                                  target = "وزيرة الداخلية", consentText = "أوافق على توقيع هذه الرسالة." }),
                 })
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PutAsJsonAsync($"/api/letters/{letter["id"]}/translations/{lang}", translation)).StatusCode);
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        // A signatory with a long right-to-left name, so the list is laid out too.
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "organisation", name = "Contact", organisation = "الجمعية الخيرية لدعم اللاجئين والمهاجرين في المملكة المتحدة", showName = true });
        return letter;
    }

    [Fact]
    public async Task In_Arabic_the_page_and_its_form_lay_out_right_to_left_without_overflow_at_phone_width()
    {
        var letter = await TrilingualLetterAsync();
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync($"{Base}/letters/{letter["slug"]}?lang=ar", new() { ViewportSize = new() { Width = 360, Height = 900 } });

        Assert.Equal(ArabicTitle, await page.Locator("h1").TextContentAsync());
        Assert.Equal("rtl", await page.EvaluateAsync<string>("getComputedStyle(document.body).direction"));
        var name = page.GetByLabel("Your name"); // the widget's words stay English (no Arabic file); its layout follows the letter
        await name.WaitForAsync();
        Assert.Equal("rtl", await name.EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        await page.GetByLabel("أوافق على توقيع هذه الرسالة.").WaitForAsync();
        // One language switcher: the page's; the form inside it offers none of its own.
        Assert.Equal(1, await page.Locator("nav.languages").CountAsync());
        Assert.Equal(0, await page.Locator(".undersigned-widget").EvaluateAsync<int>("h => h.shadowRoot.querySelectorAll('select').length"));
        Assert.Equal("rtl", await page.Locator(".names").EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        // Right to left: the form's fields start at the right edge.
        var box = (await name.BoundingBoxAsync())!;
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways at 360 px");
        Assert.True(box.X + box.Width > 300, $"the name field ends at {box.X + box.Width}");
        await Chromium.ScreenshotAsync(page, "letter-page-ar-360");

        await page.SetViewportSizeAsync(1280, 900);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways at 1280 px");
        await Chromium.ScreenshotAsync(page, "letter-page-ar-1280");
    }

    [Fact]
    public async Task A_Welsh_signer_reads_the_form_s_errors_in_Welsh_beside_each_field_and_in_the_summary()
    {
        var letter = await TrilingualLetterAsync();
        await using var site = await HostSite.StartAsync();
        var url = site.Page("welsh-errors", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\" data-lang=\"cy\" async></script>");
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(url, new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GetByLabel("E-bost (ni chaiff ei ddangos)").FillAsync("dim-e-bost");
        await page.GetByRole(AriaRole.Button, new() { Name = "Llofnodi’r llythyr" }).ClickAsync();

        var summary = page.GetByRole(AriaRole.Alert);
        await summary.GetByRole(AriaRole.Heading, new() { Name = "Mae yna broblem" }).WaitForAsync();
        string[] expected = ["Rhowch eich enw", "Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com",
            "Ticiwch y blwch i gytuno i ychwanegu eich enw at y llythyr"];
        Assert.Equal(expected, await summary.GetByRole(AriaRole.Link).AllTextContentsAsync());
        var name = page.Locator("input[name=name]");
        Assert.Equal("true", await name.GetAttributeAsync("aria-invalid"));
        Assert.Equal(expected[0], await page.Locator($"[id='{await name.GetAttributeAsync("aria-describedby")}']").TextContentAsync());
        await Chromium.ScreenshotAsync(page, "widget-errors-cy-1280");

        // Dates in Welsh (the browser has no Welsh date words: the server writes them), and the notice beside the consent box.
        var published = await app.Anonymous().PublicLetterAsync(letter);
        var erasedBy = Undersigned.Infrastructure.Words.All["cy"].Date(DateTimeOffset.Parse((string)published["updatesUntil"]!), (string)published["timeZone"]!);
        await page.GetByText($"(tan {erasedBy})", new() { Exact = false }).WaitForAsync();
        var notice = page.Locator("[id$='-privacy']");
        Assert.Contains($"gan {Organisation} ar gyfer y llythyr hwn yn unig", await notice.TextContentAsync());
        Assert.Contains($"erbyn {erasedBy}", await notice.TextContentAsync());
        Assert.Contains((await notice.GetAttributeAsync("id"))!, await page.Locator("input[name=consent]").GetAttributeAsync("aria-describedby"));
        Assert.EndsWith("/privacy?lang=cy", await notice.GetByRole(AriaRole.Link, new() { Name = "Beth ydych chi’n ei gadw amdanaf i?" }).GetAttributeAsync("href"));
    }

    [Fact]
    public async Task The_rights_page_answers_the_same_for_an_address_that_signed_and_one_that_did_not_and_mails_only_the_signer()
    {
        var letter = await TrilingualLetterAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, Signer.Individual("known@example.org"))).StatusCode);
        var verify = await smtp.WaitForMailAsync("known@example.org");
        Assert.Contains($"{Base}/privacy", verify.TextBody); // every signer's email says where to ask

        await using var chromium = await Chromium.StartAsync();
        string? answer = null;
        foreach (var (email, width) in new[] { ("known@example.org", 360), ("stranger@example.org", 1280) })
        {
            var page = await chromium.OpenAsync($"{Base}/privacy?lang=cy", new() { ViewportSize = new() { Width = width, Height = 800 }, BypassCSP = true });
            Assert.Equal("cy", await page.EvaluateAsync<string>("document.documentElement.lang"));
            Assert.Contains(Organisation, await page.Locator("main").TextContentAsync());
            await page.GetByLabel("Cyfeiriad e-bost").FillAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Anfonwch yr hyn rydych yn ei gadw ataf" }).ClickAsync();
            await page.GetByText("Diolch.", new() { Exact = false }).WaitForAsync();
            var said = await page.Locator("#result").TextContentAsync();
            Assert.Equal(answer ?? said, said);
            answer = said;
            Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"scrolls sideways at {width} px");
        }
        var summary = await smtp.WaitForMailAsync("known@example.org", 2);
        Assert.Contains("Protect migrants' data", summary.Subject);
        // The stranger's address was mailed nothing: a signer's mail after it is the next to arrive, and nothing came for it.
        await app.Anonymous().SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(0, smtp.CountTo("stranger@example.org"));

        var invalid = await chromium.OpenAsync($"{Base}/privacy", new() { Locale = "en-GB" });
        await invalid.GetByLabel("Email address").FillAsync("not-an-email");
        await invalid.GetByRole(AriaRole.Button, new() { Name = "Email me what you hold" }).ClickAsync();
        await invalid.GetByText("Enter an email address in the correct format, like name@example.com").WaitForAsync();
        Assert.Equal("true", await invalid.GetByLabel("Email address").GetAttributeAsync("aria-invalid"));
    }

    [Fact]
    public async Task A_Welsh_signer_s_confirm_and_withdraw_pages_are_in_Welsh_in_an_English_browser_and_a_used_link_says_so()
    {
        var letter = await TrilingualLetterAsync();
        var signature = Signer.Individual("cymraes@example.org", "Siân Roberts");
        signature["language"] = "cy";
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
        var mail = await smtp.WaitForMailAsync("cymraes@example.org");
        Assert.DoesNotMatch(@"/(verify|withdraw)[?#][^\s]*lang", mail.TextBody); // the language is learnt from the token, not carried
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync($"{Base}/verify#{Signer.TokenFrom(mail, "verify")}",
            new() { Locale = "en-GB", ViewportSize = new() { Width = 360, Height = 800 }, BypassCSP = true });

        await page.GetByText("Bydd y llythyr yn eich rhestru fel: “Siân Roberts”.", new() { Exact = false }).WaitForAsync();
        Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
        Assert.Equal("cy", await page.EvaluateAsync<string>("document.documentElement.lang"));
        Assert.Equal(WelshTitle, await page.Locator("#letter").TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Cadarnhau fy llofnod" }).ClickAsync();
        await page.GetByText("Diolch: mae eich llofnod wedi’i gadarnhau.").WaitForAsync();
        await Chromium.ScreenshotAsync(page, "verify-cy-360");

        // The same link again: confirmed already, no button, and the way back to the letter (in Welsh).
        var again = await chromium.OpenAsync($"{Base}/verify#{Signer.TokenFrom(mail, "verify")}", new() { Locale = "en-GB" });
        await again.GetByText("Rydych chi eisoes wedi cadarnhau eich llofnod. Diolch.").WaitForAsync();
        Assert.False(await again.GetByRole(AriaRole.Button).IsVisibleAsync());
        Assert.Equal($"/letters/{letter["slug"]}?lang=cy", await again.GetByRole(AriaRole.Link, new() { Name = "Mynd i’r llythyr" }).GetAttributeAsync("href"));
        Assert.Equal("Cadarnhewch eich llofnod", await again.TitleAsync());

        var withdraw = await chromium.OpenAsync($"{Base}/withdraw#{Signer.TokenFrom(mail, "withdraw")}", new() { Locale = "en-GB" });
        await withdraw.GetByRole(AriaRole.Heading, new() { Name = "Tynnu eich llofnod yn ôl" }).WaitForAsync();
        await withdraw.GetByText(WelshTitle).WaitForAsync();
        await withdraw.GetByRole(AriaRole.Button, new() { Name = "Tynnu fy llofnod yn ôl" }).ClickAsync();
        await withdraw.GetByText("Mae eich llofnod wedi’i dynnu’n ôl a’ch manylion wedi’u dileu.").WaitForAsync();

        // Withdrawn: the confirmation link is no longer anything, and says only that.
        var gone = await chromium.OpenAsync($"{Base}/verify#{Signer.TokenFrom(mail, "verify")}", new() { Locale = "en-GB" });
        await gone.GetByText("This link is not valid.", new() { Exact = false }).WaitForAsync();
    }

#if !POSTGRES // the pages are the same on either engine: scored once
    [Fact]
    public async Task Lighthouse_scores_the_letter_page_and_the_verify_page_100_for_accessibility_in_English_and_Welsh()
    {
        var letter = await TrilingualLetterAsync();
        var signature = Signer.Individual("lighthouse@example.org", "Siân Roberts");
        signature["language"] = "cy";
        await app.Anonymous().SignAsync(letter, signature);
        var token = Signer.TokenFrom(await smtp.WaitForMailAsync("lighthouse@example.org"), "verify");
        foreach (var url in new[] { $"{Base}/letters/{letter["slug"]}?lang=en", $"{Base}/letters/{letter["slug"]}?lang=cy", $"{Base}/verify#{token}" })
        {
            var (score, failing) = await Chromium.LighthouseAccessibilityAsync(url);
            Assert.True(score == 1, $"{url}: {score * 100} ({string.Join("; ", failing)})");
        }
    }
#endif

    [Fact]
    public async Task Welsh_is_picked_from_the_browser_and_the_switcher_keeps_what_was_typed()
    {
        var letter = await TrilingualLetterAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, $"/letters/{letter["slug"]}");
        request.Headers.Add("Accept-Language", "cy-GB, en;q=0.5");
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.Anonymous().BaseAddress };
        var redirect = await client.SendAsync(request);
        Assert.Equal($"/letters/{letter["slug"]}?lang=cy", redirect.Headers.Location!.OriginalString);
        Assert.Contains($"<h1>{WelshTitle}</h1>", await client.GetStringAsync(redirect.Headers.Location.OriginalString));

        // A partner's widget with no data-lang, in a Welsh browser: the Welsh text and the Welsh words.
        await using var site = await HostSite.StartAsync();
        var url = site.Page("welsh", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\" async></script>");
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(url, new() { Locale = "cy-GB" });
        await page.GetByRole(AriaRole.Heading, new() { Name = WelshTitle }).WaitForAsync();
        await page.GetByLabel("Eich enw").FillAsync("Dr Jane Roe");
        await page.GetByLabel("E-bost (ni chaiff ei ddangos)").FillAsync("switcher@example.org");
        await page.GetByLabel("Rwy’n cytuno i lofnodi’r llythyr hwn.").CheckAsync();

        // Switched to Arabic: the text, the direction and the consent wording change; what was typed and ticked stays.
        await page.GetByLabel("Iaith").SelectOptionAsync("ar");
        await page.GetByRole(AriaRole.Heading, new() { Name = ArabicTitle }).WaitForAsync();
        var name = page.GetByLabel("Your name");
        Assert.Equal("Dr Jane Roe", await name.InputValueAsync());
        Assert.Equal("switcher@example.org", await page.GetByLabel("Email (never shown)").InputValueAsync());
        Assert.True(await page.GetByLabel("أوافق على توقيع هذه الرسالة.").IsCheckedAsync());
        Assert.Equal("rtl", await name.EvaluateAsync<string>("e => getComputedStyle(e).direction"));
        await Chromium.ScreenshotAsync(page, "widget-switched-to-arabic");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await page.GetByText("Check your email").WaitForAsync();
        var mail = await smtp.WaitForMailAsync("switcher@example.org");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
        var signatures = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync();
        Assert.Equal("ar", (string)signatures["items"]!.AsArray().Single(s => (string?)s!["name"] == "Dr Jane Roe")!["language"]!);
    }
}

using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Public;

/// <summary>The shareable letter page and its share card, in real headless Chromium and over plain HTTP.</summary>
public sealed class LetterPageTests : SmtpAppTest
{
    // The page's links and the widget's requests go where the test server really listens.
    protected override void Configure(Dictionary<string, string?> settings) => settings["Undersigned:PublicBaseUrl"] = null;

    const string Hostile = "<img src=x onerror=alert(1)>";

    string Base => app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority);

    static string PageOf(JsonObject letter, string lang = "en") => $"/letters/{letter["slug"]}?lang={lang}";

    async Task SignAndConfirmAsync(JsonObject letter, JsonObject signature)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, signature)).StatusCode);
        var mail = await smtp.WaitForMailAsync((string)signature["email"]!);
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
    }

    /// <summary>A letter with an organisation, a hostile name, a right-to-left name and someone not named.</summary>
    async Task<JsonObject> SignedLetterAsync()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Protect the data of migrants", consentText = "I agree to sign this letter." });
        await SignAndConfirmAsync(letter, Signer.Individual("hostile@example.org", Hostile));
        await SignAndConfirmAsync(letter, Signer.Individual("rtl@example.org", "ليلى حداد", organisation: "Migrant Voice"));
        await SignAndConfirmAsync(letter, Signer.Organisation("org@example.org", "Refugee Legal Group UK"));
        await SignAndConfirmAsync(letter, Signer.Individual("quiet@example.org", "Quiet Person", showName: false));
        return letter;
    }

    [Fact]
    public async Task The_page_reads_without_JavaScript_at_phone_and_desktop_widths_and_names_are_only_text()
    {
        var letter = await SignedLetterAsync();
        await using var chromium = await Chromium.StartAsync();
        foreach (var script in new[] { false, true })
        {
            var page = await chromium.OpenAsync(Base + PageOf(letter), new() { JavaScriptEnabled = script });
            var dialogs = 0;
            page.Dialog += (_, _) => dialogs++;

            Assert.Equal(1, await page.Locator("h1").CountAsync());
            Assert.Equal("Protect the data of migrants", await page.Locator("h1").TextContentAsync());
            await page.GetByText("To: The Home Secretary").WaitForAsync();
            await page.GetByText("Signing closes: 23 December 2026, 12:00 (Europe/London)").WaitForAsync();
            Assert.Equal("4 signatures", (await page.Locator(".count").InnerTextAsync()).Split('\n')[0].Trim());
            // Organisations first, then individuals in order of signing; each name only text, in its own isolate.
            Assert.Equal(["Refugee Legal Group UK", Hostile, "ليلى حداد (Migrant Voice)"], await page.Locator(".names bdi").AllTextContentsAsync());
            Assert.Equal(["Organisations", "Individuals"], await page.Locator(".signatories h3").AllTextContentsAsync());
            await page.GetByText("and 1 other who chose not to be named.").WaitForAsync();
            Assert.Equal(0, await page.Locator("main img").CountAsync());
            if (script) await page.GetByLabel("Your name").WaitForAsync(); // the widget's form, under the page's policy
            else await page.GetByText("Signing needs JavaScript").WaitForAsync();

            foreach (var width in new[] { 360, 1280 })
            {
                await page.SetViewportSizeAsync(width, 900);
                Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"scrolls sideways at {width} px");
                await Chromium.ScreenshotAsync(page, $"letter-page-{width}{(script ? "" : "-no-script")}");
            }
            // Printed, it is the letter and its signatories: no form, no share links, no language switcher.
            await page.EmulateMediaAsync(new() { Media = Media.Print });
            foreach (var part in new[] { ".sign", ".share", ".languages" })
                Assert.False(await page.Locator(part).IsVisibleAsync(), $"{part} prints");
            Assert.True(await page.Locator(".signatories").IsVisibleAsync());
            Assert.Equal(0, dialogs);
        }
    }

    [Fact]
    public async Task A_person_signs_on_the_page_under_its_strict_policy_and_then_appears_on_it()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Protect the data of migrants", consentText = "I agree to sign this letter." });
        var response = await app.Anonymous().GetAsync(PageOf(letter));
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe", policy);

        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(Base + PageOf(letter));
        var refused = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") refused.Add(message.Text); };
        await page.GetByLabel("Your name").FillAsync("Dr Jane Roe");
        await page.GetByLabel("Organisation (optional)").FillAsync("Refugee Legal Group UK");
        await page.GetByLabel("Email (never shown)").FillAsync("page.signer@example.org");
        await page.GetByLabel("I agree to sign this letter.").CheckAsync();
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" });
        // The widget's styles passed the page's style-src too (a constructed style sheet, not a <style> element).
        Assert.Equal("rgb(11, 79, 138)", await button.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"));
        await button.ClickAsync();
        await page.GetByText("Check your email").WaitForAsync();
        Assert.Empty(refused);

        var mail = await smtp.WaitForMailAsync("page.signer@example.org");
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"));
        await page.ReloadAsync();
        await page.Locator(".names bdi", new() { HasText = "Dr Jane Roe (Refugee Legal Group UK)" }).WaitForAsync();
        Assert.StartsWith("1 signature", await page.Locator(".count").InnerTextAsync());
    }

    [Fact]
    public async Task Axe_finds_no_serious_or_critical_problem_in_English_or_Welsh()
    {
        var letter = await SignedLetterAsync();
        await using var chromium = await Chromium.StartAsync();
        foreach (var lang in new[] { "en", "cy" })
        {
            var page = await chromium.OpenAsync(Base + PageOf(letter, lang), new() { BypassCSP = true });
            await page.Locator(".undersigned-widget").WaitForAsync(); // the form is checked too, inside its shadow root
            await page.WaitForFunctionAsync("document.querySelector('.undersigned-widget').shadowRoot.querySelector('form') !== null");
            Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
        }
    }

    [Fact]
    public async Task The_language_comes_from_the_address_or_else_a_private_redirect_and_unknown_values_are_ignored()
    {
        var letter = await app.CreatePublishedLetterAsync();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.Anonymous().BaseAddress };
        async Task<HttpResponseMessage> GetAsync(string url, string? acceptLanguage = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (acceptLanguage is not null) request.Headers.Add("Accept-Language", acceptLanguage);
            return await client.SendAsync(request);
        }

        var welsh = await GetAsync($"/letters/{letter["slug"]}", "cy-GB,cy;q=0.9,en;q=0.5");
        Assert.Equal(HttpStatusCode.Found, welsh.StatusCode);
        Assert.Equal($"/letters/{letter["slug"]}?lang=cy", welsh.Headers.Location!.OriginalString);
        Assert.True(welsh.Headers.CacheControl!.Private);
        Assert.Contains("Accept-Language", welsh.Headers.Vary);

        // French is not among the page's languages: English (its default) instead, and the unknown ?lang and ?partner
        // values are ignored rather than refused; the partner stays in the address for later.
        var other = await GetAsync($"/letters/{letter["slug"]}?lang=fr&partner=nobody", "fr-FR,fr;q=0.9");
        Assert.Equal($"/letters/{letter["slug"]}?partner=nobody&lang=en", other.Headers.Location!.OriginalString);

        var page = await GetAsync($"/letters/{letter["slug"]}?lang=cy&partner=nobody");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<html lang=\"cy\" dir=\"ltr\">", html);
        Assert.Contains("Llofnodi’r llythyr", html);
        Assert.Contains("data-lang=\"cy\"", html);
        Assert.True(page.Headers.CacheControl!.Public);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/letters/{letter["slug"]}?lang=cy")
        {
            Headers = { IfNoneMatch = { page.Headers.ETag! } },
        })).StatusCode);
    }

    [Fact]
    public async Task A_draft_has_no_page_a_scheduled_letter_says_when_signing_opens_and_a_closed_one_has_no_form()
    {
        var client = app.Anonymous();
        var draft = await app.CreateLetterAsync();
        await (await client.GetAsync(PageOf(draft))).ProblemAsync(404);
        await (await client.GetAsync($"/letters/{draft["slug"]}/card.png")).ProblemAsync(404);

        var scheduled = await app.CreatePublishedLetterAsync(new { opensAt = app.Clock.GetUtcNow().AddDays(2).ToString("O") });
        var html = await client.GetStringAsync(PageOf(scheduled));
        Assert.Contains("Signing opens: <time datetime=\"2026-11-25T12:00:00Z\">25 November 2026, 12:00 (Europe/London)</time>", html);
        Assert.DoesNotContain("widget.js", html);

        var closing = await app.CreatePublishedLetterAsync();
        await app.Admin().PostAsJsonAsync($"/api/letters/{closing["id"]}/signatures", new { kind = "organisation", name = "Contact", organisation = "Kept Org", showName = true });
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PostAsJsonAsync($"/api/letters/{closing["id"]}/close", new { reason = "Delivered" })).StatusCode);
        html = await client.GetStringAsync(PageOf(closing));
        Assert.Contains("Signing closed:", html);
        Assert.Contains("Signing has closed.", html);
        Assert.Contains("<strong>1</strong> signature", html);
        Assert.Contains("<li><bdi>Kept Org</bdi></li>", html);
        Assert.DoesNotContain("widget.js", html);
    }

    [Fact]
    public async Task Signatories_are_paged_with_plain_links()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var admin = app.Admin();
        for (var i = 1; i <= 101; i++)
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
                new { kind = "individual", name = $"Signer {i:000}", showName = true })).StatusCode);

        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(Base + PageOf(letter), new() { JavaScriptEnabled = false });
        Assert.Equal(100, await page.Locator(".names li").CountAsync());
        Assert.Equal("Signer 100", await page.Locator(".names li").Last.TextContentAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "More signatories" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the first signatories" }).WaitForAsync();
        Assert.Equal(["Signer 101"], await page.Locator(".names li").AllTextContentsAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "More signatories" }).CountAsync());
    }

    [Fact]
    public async Task The_share_card_is_a_1200_by_630_PNG_showing_the_title_target_and_count_drawn_again_only_when_they_change()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Protect the data of migrants", target = "The Home Secretary" });
        var client = app.Anonymous();
        var url = $"/letters/{letter["slug"]}/card.png";
        var first = await client.GetAsync(url);
        Assert.Equal("image/png", first.Content.Headers.ContentType!.MediaType);
        var png = await first.Content.ReadAsByteArrayAsync();
        Assert.Equal((1200, 630), Size(png));
        var text = await ReadTextAsync(png);
        Assert.Contains("Protect the data of migrants", text);
        Assert.Contains("To: The Home Secretary", text);
        Assert.Contains("0 signatures", text);

        // The same version is the same drawing, and revalidates to 304.
        Assert.Equal(png, await client.GetByteArrayAsync(url + "?v=anything"));
        var revalidate = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { first.Headers.ETag! } } };
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(revalidate)).StatusCode);

        await SignAndConfirmAsync(letter, Signer.Individual("card@example.org"));
        app.Clock.Advance(TimeSpan.FromSeconds(2)); // past the second public counts are kept for
        var counted = await client.GetAsync(url);
        Assert.NotEqual(first.Headers.ETag, counted.Headers.ETag);
        Assert.Contains("1 signature", await ReadTextAsync(await counted.Content.ReadAsByteArrayAsync()));
        Assert.Contains("1 llofnod", await ReadTextAsync(await client.GetByteArrayAsync(url + "?lang=cy")));
    }

    static (int Width, int Height) Size(byte[] png)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    /// <summary>The text in an image, read by Tesseract OCR (installed by tests/setup.sh), lines joined by spaces.</summary>
    static async Task<string> ReadTextAsync(byte[] png)
    {
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, png);
        try
        {
            using var ocr = Process.Start(new ProcessStartInfo("tesseract", [file, "-", "-l", "eng"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = await ocr.StandardOutput.ReadToEndAsync();
            await ocr.WaitForExitAsync();
            return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }
}

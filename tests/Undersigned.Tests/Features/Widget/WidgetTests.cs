using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Widget;

/// <summary>The widget on a partner's page in real headless Chromium: script mode, iframe mode, errors, keyboard, origins.</summary>
public sealed class WidgetTests : SmtpAppTest
{
    // Links and the embed's own origin come from where the test server really listens, as for a deployment whose
    // PublicBaseUrl is its address: the browser loads the iframe from there.
    protected override void Configure(Dictionary<string, string?> settings) => settings["Undersigned:PublicBaseUrl"] = null;

    string Base => app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority);

    async Task<JsonObject> LetterAsync(HostSite site, object? fields = null)
    {
        var letter = await app.CreateLetterAsync(fields ?? new { allowedOrigins = new[] { site.Origin }, consentText = "I agree to sign this letter." });
        return await (await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null)).JsonAsync();
    }

    [Fact]
    public async Task Script_mode_signs_from_a_partner_page_and_the_count_updates_after_confirming()
    {
        await using var site = await HostSite.StartAsync();
        var letter = await LetterAsync(site);
        var url = site.Page("script", $"<p>Please sign:</p><script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\" async></script>");
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(url);

        await page.GetByText("0 signatures").WaitForAsync();
        // The deadline says which clock it is in: the letter's zone, as the letter page writes it.
        await page.GetByText("Signing closes: 23 December 2026, 12:00 (Europe/London)").WaitForAsync();
        await page.GetByLabel("Your name").FillAsync("Dr Jane Roe");
        await page.GetByLabel("Organisation (optional)").FillAsync("Refugee Legal Group UK");
        await page.GetByLabel("Email (never shown)").FillAsync("widget.signer@example.org");
        await page.GetByLabel("I agree to sign this letter.").CheckAsync();
        await Chromium.ScreenshotAsync(page, "widget-script-mode");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await page.GetByText("Check your email").WaitForAsync();

        var mail = await smtp.WaitForMailAsync("widget.signer@example.org");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
        await page.ReloadAsync();
        await page.GetByText("1 signature", new() { Exact = true }).WaitForAsync();
        Assert.Equal("Dr Jane Roe (Refugee Legal Group UK)", (string?)Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter))!["display"]);
    }

    [Fact]
    public async Task The_verify_page_shows_what_confirming_publishes_before_the_person_confirms()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("page.signer@example.org", "Amal Haddad", organisation: "Migrant Voice"));
        var token = Signer.TokenFrom(await smtp.WaitForMailAsync("page.signer@example.org"), "verify");
        await using var chromium = await Chromium.StartAsync();
        // The link as emailed: no query naming the letter; the page learns its title from the token's preview.
        var page = await chromium.OpenAsync($"{Base}/verify#{token}");

        await page.GetByText("The letter will list you as: “Amal Haddad (Migrant Voice)”.", new() { Exact = false }).WaitForAsync();
        Assert.Equal((string)letter["title"]!, await page.Locator("#letter").TextContentAsync());
        Assert.Empty(await app.Anonymous().PublicSignatoriesAsync(letter)); // looking changed nothing
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm my signature" }).ClickAsync();
        await page.GetByText("your signature is confirmed").WaitForAsync();
        Assert.Equal("Amal Haddad (Migrant Voice)", (string?)Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter))!["display"]);
    }

    [Fact]
    public async Task On_the_verify_page_a_hostile_right_to_left_name_is_only_text_in_its_own_isolate()
    {
        var letter = await app.CreatePublishedLetterAsync();
        const string name = "ليلى <img src=x onerror=alert(1)> حداد";
        await app.Anonymous().SignAsync(letter, Signer.Individual("rtl.signer@example.org", name, organisation: "Migrant Voice"));
        var token = Signer.TokenFrom(await smtp.WaitForMailAsync("rtl.signer@example.org"), "verify");
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync($"{Base}/verify?letter={letter["slug"]}#{token}");
        var dialogs = 0;
        page.Dialog += (_, _) => dialogs++;

        var isolate = page.Locator("#details bdi");
        await isolate.WaitForAsync();
        Assert.Equal($"{name} (Migrant Voice)", await isolate.TextContentAsync());
        Assert.Equal(0, await page.Locator("#details img").CountAsync());
        foreach (var width in new[] { 360, 1280 })
        {
            await page.SetViewportSizeAsync(width, 800);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"scrolls sideways at {width} px");
            await Chromium.ScreenshotAsync(page, $"verify-{width}");
        }
        Assert.Equal(0, dialogs);
    }

    [Fact]
    public async Task The_script_mounts_only_tags_that_load_it_from_this_service()
    {
        await using var site = await HostSite.StartAsync();
        var letter = await LetterAsync(site);
        var url = site.Page("two-widgets", $"""
            <script src="{site.Origin}/widget.js" data-letter="{letter["slug"]}"></script>
            <script src="{Base}/widget.js" data-letter="{letter["slug"]}" async></script>
            """);
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(url);

        await page.GetByText("0 signatures").WaitForAsync();
        Assert.Equal(1, await page.Locator(".undersigned-widget").CountAsync());
    }

    [Fact]
    public async Task The_console_s_iframe_snippet_takes_the_form_s_height_from_the_service_only_and_shows_the_button_without_its_script()
    {
        await using var site = await HostSite.StartAsync();
        var letter = await LetterAsync(site);
        var snippet = (string)letter["embed"]!["iframe"]!;
        var frameOnly = snippet[..(snippet.IndexOf("</iframe>") + "</iframe>".Length)]; // a site that takes no scripts
        await using var chromium = await Chromium.StartAsync();
        foreach (var width in new[] { 360, 1280 })
        {
            var alone = await chromium.OpenAsync(site.Page($"iframe-alone-{width}", frameOnly), new() { ViewportSize = new() { Width = width, Height = 900 } });
            var button = alone.FrameLocator("iframe").GetByRole(AriaRole.Button, new() { Name = "Sign the letter" });
            await button.WaitForAsync();
            var frameBox = (await alone.Locator("iframe").BoundingBoxAsync())!;
            var buttonBox = (await button.BoundingBoxAsync())!;
            Assert.True(buttonBox.Y + buttonBox.Height <= frameBox.Y + frameBox.Height, $"at {width} px the button ends at {buttonBox.Y + buttonBox.Height}, the frame at {frameBox.Y + frameBox.Height}");
        }

        // With its script: the frame takes the form's height; the host's own messages (or any other origin's) move nothing.
        var page = await chromium.OpenAsync(site.Page("iframe", snippet), new() { ViewportSize = new() { Width = 360, Height = 900 } });
        var frame = page.FrameLocator("iframe");
        await frame.GetByLabel("Your name").FillAsync("Iframe Signer");
        await page.WaitForFunctionAsync($"document.querySelector('iframe').offsetHeight < {EmbedHeight}");
        var fitted = await page.EvaluateAsync<int>("document.querySelector('iframe').offsetHeight");
        Assert.InRange(fitted, 300, EmbedHeight - 1);
        // Listeners run in the order they were added: once this one has the host's message, the snippet's has seen it too.
        await page.EvaluateAsync("""
            () => new Promise(done => {
              addEventListener('message', e => { if (e.source === window) done(); });
              postMessage({ type: 'undersigned:height', height: 5 }, '*');
            })
            """);
        Assert.Equal(fitted, await page.EvaluateAsync<int>("document.querySelector('iframe').offsetHeight"));
        await frame.GetByLabel("Email (never shown)").FillAsync("iframe.signer@example.org");
        await frame.GetByLabel("I agree to sign this letter.").CheckAsync();
        await Chromium.ScreenshotAsync(page, "widget-iframe-mode");
        await frame.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await frame.GetByText("Check your email").WaitForAsync();
        await smtp.WaitForMailAsync("iframe.signer@example.org");
    }

    const int EmbedHeight = Undersigned.Features.Letters.EmbedSnippets.DefaultIframeHeight;

    [Fact]
    public async Task The_widget_solves_the_proof_of_work_on_the_page_when_the_letter_asks()
    {
        await using var site = await HostSite.StartAsync();
        var letter = await LetterAsync(site, new { allowedOrigins = new[] { site.Origin }, challenge = "on", consentText = "I agree to sign this letter." });
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(site.Page("challenge", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\"></script>"));
        await page.GetByLabel("Your name").FillAsync("Patient Signer");
        await page.GetByLabel("Email (never shown)").FillAsync("patient.signer@example.org");
        await page.GetByLabel("I agree to sign this letter.").CheckAsync();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await page.GetByText("Check your email").WaitForAsync();
        Console.WriteLine($"Proof of work solved and signed in {watch.ElapsedMilliseconds} ms (reported, not asserted)");
        await smtp.WaitForMailAsync("patient.signer@example.org");
    }

    [Fact]
    public async Task Field_errors_in_plain_words_appear_beside_their_fields_and_in_a_summary_and_keyboard_alone_can_sign()
    {
        await using var site = await HostSite.StartAsync();
        var letter = await LetterAsync(site);
        var url = site.Page("keyboard", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\"></script>");
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(url, new() { ViewportSize = new() { Width = 360, Height = 900 } });

        await page.GetByLabel("an organisation").CheckAsync();
        await page.GetByLabel("Email (never shown)").FillAsync("not-an-email");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        var expected = new Dictionary<string, string>
        {
            ["organisation"] = "Enter the name of your organisation",
            ["name"] = "Enter your name",
            ["email"] = "Enter an email address in the correct format, like name@example.com",
            ["consent"] = "Tick the box to agree to your name being added to the letter",
        };
        var summary = page.GetByRole(AriaRole.Alert);
        await summary.GetByRole(AriaRole.Heading, new() { Name = "There is a problem" }).WaitForAsync();
        Assert.Equal(expected.Values, await summary.GetByRole(AriaRole.Link).AllTextContentsAsync()); // in the form's order
        foreach (var (field, message) in expected)
        {
            // Beside its field, which is marked invalid and described by it (what a screen reader reads with the field).
            var input = page.Locator($"input[name={field}]");
            Assert.Equal("true", await input.GetAttributeAsync("aria-invalid"));
            var describedBy = (await input.GetAttributeAsync("aria-describedby"))!.Split(' ')[0]; // the consent box: then its privacy notice
            Assert.Equal(message, await page.Locator($"[id='{describedBy}']").TextContentAsync());
        }
        Assert.True(await summary.EvaluateAsync<bool>("e => e.getRootNode().activeElement === e"), "the summary has the focus");
        await page.GetByText("Please correct the fields marked above.").WaitForAsync();
        await Chromium.ScreenshotAsync(page, "widget-errors-360");

        // Now only the keyboard: the summary's email link takes the focus to the email field.
        await page.GetByLabel("an individual").CheckAsync();
        await page.GetByLabel("Your name").FillAsync("Keyboard Person");
        await summary.GetByRole(AriaRole.Link, new() { Name = expected["email"] }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.True(await page.GetByLabel("Email (never shown)").EvaluateAsync<bool>("e => e.getRootNode().activeElement === e"));
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("keyboard.person@example.org");
        await page.Keyboard.PressAsync("Tab"); // show my name
        await page.Keyboard.PressAsync("Tab"); // consent
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("Tab"); // the privacy notice's link
        await page.Keyboard.PressAsync("Tab"); // "tell me what happens"
        await page.Keyboard.PressAsync("Tab"); // (the honeypot is not focusable) → the button
        Assert.Equal("Sign the letter", await page.EvaluateAsync<string>("document.querySelector('.undersigned-widget').shadowRoot.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.GetByText("Check your email").WaitForAsync();
        await smtp.WaitForMailAsync("keyboard.person@example.org");
    }

    [Fact]
    public async Task A_site_outside_allowed_origins_cannot_get_a_signature_stored_and_letter_markup_is_inert()
    {
        await using var site = await HostSite.StartAsync();
        await using var foreign = await HostSite.StartAsync();
        var letter = await LetterAsync(site, new
        {
            allowedOrigins = new[] { site.Origin },
            consentText = "I agree to sign this letter.",
            body = "Dear Minister <script>window.pwned = 1</script> <img src=x onerror=\"window.pwned = 2\"> [click](javascript:window.pwned=3)",
        });
        await using var chromium = await Chromium.StartAsync();

        var allowed = await chromium.OpenAsync(site.Page("inert", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\"></script>"));
        await allowed.GetByText("Read the letter").ClickAsync();
        await allowed.GetByText("Dear Minister").WaitForAsync();
        var link = allowed.GetByText("click");
        Assert.Null(await link.GetAttributeAsync("href"));
        await link.ClickAsync();
        Assert.Null(await allowed.EvaluateAsync<int?>("window.pwned"));

        var hostile = await chromium.OpenAsync(foreign.Page("steal", $"<script src=\"{Base}/widget.js\" data-letter=\"{letter["slug"]}\"></script>"));
        // The letter is public, so any site may show it; signing from a site the letter does not list fails its preflight.
        await hostile.GetByLabel("Your name").FillAsync("Forced Signer");
        await hostile.GetByLabel("Email (never shown)").FillAsync("forced.widget@example.org");
        await hostile.GetByLabel("I agree to sign this letter.").CheckAsync();
        await hostile.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await hostile.GetByText("could not reach the server").WaitForAsync();
        var posted = await hostile.EvaluateAsync<int>($$"""
            async () => { try { const r = await fetch('{{Base}}/api/public/letters/{{letter["slug"]}}/signatures', { method: 'POST', mode: 'no-cors',
              headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ kind: 'individual', name: 'Forced', email: 'forced@example.org',
              showName: true, consent: true, textVersion: 1 }) }); return 1; } catch { return 0; } }
            """);
        Assert.Equal(1, posted);
        var signatures = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync();
        Assert.Empty(signatures["items"]!.AsArray());
    }
}

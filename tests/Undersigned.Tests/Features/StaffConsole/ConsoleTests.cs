using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.StaffConsole;

/// <summary>The staff console in real headless Chromium, running a letter end to end on the API.</summary>
public sealed class ConsoleTests : SmtpAppTest
{
    protected override void Configure(Dictionary<string, string?> settings) => settings["Undersigned:PublicBaseUrl"] = null;

    string Base => app.Anonymous().BaseAddress!.GetLeftPart(UriPartial.Authority);

    /// <summary>Opens the console and signs in; every dialog and page error is counted, so a test can say there were none.</summary>
    async Task<(IPage Page, List<string> Errors)> SignInAsync(Chromium chromium, string key, BrowserNewPageOptions? options = null)
    {
        var page = await chromium.OpenAsync(Base + "/console", options);
        var errors = new List<string>();
        page.Dialog += (_, dialog) => errors.Add("dialog: " + dialog.Message);
        page.PageError += (_, error) => errors.Add("page error: " + error);
        page.Console += (_, message) => { if (message.Type == "error") errors.Add("console: " + message.Text); };
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Letters", Exact = true }).WaitForAsync();
        return (page, errors);
    }

    [Fact]
    public async Task Staff_run_a_letter_end_to_end_and_signers_text_stays_text_everywhere()
    {
        await using var chromium = await Chromium.StartAsync();
        var (page, errors) = await SignInAsync(chromium, TestApp.AdminKey);
        // Only the session token is kept, for this tab: not the key, nothing in localStorage, no cookie.
        var token = await page.EvaluateAsync<string>("sessionStorage.getItem('undersigned.session')");
        Assert.StartsWith("uss_", token);
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        Assert.Empty(await page.Context.CookiesAsync());
        Assert.DoesNotContain(TestApp.AdminKey, await page.EvaluateAsync<string>("JSON.stringify(sessionStorage)"));

        // Create a draft, with the Markdown previewed by the server in a sandboxed frame.
        await page.GetByRole(AriaRole.Link, new() { Name = "New letter" }).First.ClickAsync();
        await page.GetByLabel("Title").FillAsync("Protect the data of migrants");
        await page.GetByLabel("To (the letter’s target)").FillAsync("The Home Secretary");
        await page.GetByLabel("Letter (Markdown)").FillAsync("We ask you to **act** now.");
        await page.GetByLabel("Signing closes").FillAsync("2026-12-20T17:00");
        await page.GetByLabel("Moderation").SelectOptionAsync("all");
        await page.GetByLabel("Consent wording (empty: the default)").FillAsync("I agree to sign this letter.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
        await page.FrameLocator("iframe.preview").Locator("strong", new() { HasText = "act" }).WaitForAsync();
        Assert.Equal("", await page.Locator("iframe.preview").GetAttributeAsync("sandbox"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the draft" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Protect the data of migrants" }).WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await page.GetByText("Published.").WaitForAsync();
        var letterUrl = page.Url;
        var letter = (await (await app.Admin().GetAsync("/api/letters")).JsonAsync())["items"]![0]!.AsObject();
        // The time was on the letter's zone's clock (London, which in December is UTC), not the browser's.
        Assert.Equal(new DateTimeOffset(2026, 12, 20, 17, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse((string)letter["closesAt"]!));

        // A signature arrives through the public page, from someone whose name is markup.
        const string hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        var signer = await chromium.OpenAsync($"{Base}/letters/{letter["slug"]}?lang=en");
        await signer.GetByLabel("Your name").FillAsync(hostile);
        await signer.GetByLabel("Email (never shown)").FillAsync("console.signer@example.org");
        await signer.GetByLabel("I agree to sign this letter.").CheckAsync();
        await signer.GetByRole(AriaRole.Button, new() { Name = "Sign the letter" }).ClickAsync();
        await signer.GetByText("Check your email").WaitForAsync();
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("console.signer@example.org"), "verify"));

        // Moderate by keyboard alone: select the row with Space, approve with Enter.
        await page.GotoAsync(letterUrl + "/signatures");
        var shown = page.Locator("tbody bdi", new() { HasText = hostile });
        await shown.WaitForAsync();
        Assert.Equal(hostile, await shown.TextContentAsync());
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Select " + hostile }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve selected" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.GetByText("Approved 1 signature.").WaitForAsync();
        Assert.Equal(hostile, (string?)Assert.Single(await app.Anonymous().PublicSignatoriesAsync(letter))!["display"]);

        // Correct the name; the delivery PDF carries the correction.
        await page.GetByLabel("Status").SelectOptionAsync("confirmed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Correct " + hostile }).ClickAsync();
        await page.Locator("form.inline").GetByLabel("Name", new() { Exact = true }).FillAsync("Dr Jane Roe");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the correction" }).ClickAsync();
        await page.GetByText("Corrected.").WaitForAsync();
        await page.Locator("tbody bdi", new() { HasText = "Dr Jane Roe" }).WaitForAsync();

        await page.GotoAsync(letterUrl);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Letter pack (PDF)" }).ClickAsync());
        var pdf = Path.Combine(app.DataDirectory, "pack.pdf");
        await download.SaveAsAsync(pdf);
        Assert.Matches(@"protect-the-data-of-migrants-letter-\d{4}-\d{2}-\d{2}\.pdf", download.SuggestedFilename);
        Assert.Contains("Dr Jane Roe", await PdfTextAsync(pdf));

        // Move the deadline with a reason; the history shows it.
        await page.GetByLabel("New closing time (Europe/London)").FillAsync("2027-01-10T17:00");
        await page.GetByLabel("Reason (kept in the history)").FillAsync("Partners asked for more time");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move the deadline" }).ClickAsync();
        await page.GetByText("The deadline has moved.").WaitForAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "Partners asked for more time" }).WaitForAsync();
        await Chromium.ScreenshotAsync(page, "console-letter");

        // Sign out: the token stops working.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByText("You have signed out.").WaitForAsync();
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('undersigned.session')"));
        await (await app.WithKey(token).GetAsync("/api/me")).ProblemAsync(401);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_staff_key_sees_no_admin_parts_and_an_ended_session_returns_to_sign_in_with_a_reason()
    {
        var (secret, _) = await app.NewKeyAsync();
        await using var chromium = await Chromium.StartAsync();
        var (page, errors) = await SignInAsync(chromium, secret);
        Assert.Equal(["Letters", "New letter"], await page.Locator("#nav a").AllTextContentsAsync());
        await page.GotoAsync(Base + "/console#/keys");
        await page.GetByText("This part of the console needs an admin key.").WaitForAsync();

        // An admin ends every session of this key (it was revoked, say): the next action goes back to sign-in.
        var sessions = (await (await app.Admin().GetAsync("/api/sessions")).JsonAsync())["items"]!.AsArray();
        foreach (var session in sessions) await app.Admin().DeleteAsync($"/api/sessions/{session!["id"]}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Letters", Exact = true }).ClickAsync();
        await page.GetByText("Your session has ended").WaitForAsync();
        await page.GetByLabel("API key").WaitForAsync();
        Assert.Equal(["console: Failed to load resource: the server responded with a status of 401 (Unauthorized)"], errors); // that refused call, nothing else
    }

    [Fact]
    public async Task An_edit_never_overwrites_someone_else_s_change()
    {
        var letter = await app.CreateLetterAsync(new { title = "First title" });
        await using var chromium = await Chromium.StartAsync();
        var (page, _) = await SignInAsync(chromium, TestApp.AdminKey);
        await page.GotoAsync($"{Base}/console#/letters/{letter["id"]}/edit");
        await page.GetByLabel("Title").FillAsync("My title");

        // Meanwhile, someone else saves a change.
        var read = await app.Admin().GetAsync($"/api/letters/{letter["id"]}");
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { title = "Their title" }, read.Headers.ETag!.Tag)).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await page.GetByText("Someone else changed this letter since you opened it").WaitForAsync();
        Assert.Equal("Their title", (string)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["title"]!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Reload the letter" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Title")).ToHaveValueAsync("Their title"); // waits for the reloaded form
    }

    [Fact]
    public async Task Staff_add_a_translation_and_see_it_go_out_of_date_when_the_letter_changes()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await using var chromium = await Chromium.StartAsync();
        var (page, errors) = await SignInAsync(chromium, TestApp.AdminKey);
        await page.GotoAsync($"{Base}/console#/letters/{letter["id"]}");
        await page.GetByText("Add a translation").ClickAsync();
        await page.GetByLabel("Language (a BCP 47 tag such as cy, ar or fa)").FillAsync("cy");
        var adding = page.Locator("details[open]");
        const string title = "Diogelwch <img src=x onerror=alert(1)> data ymfudwyr";
        await adding.GetByLabel("Title").FillAsync(title);
        await adding.GetByLabel("Letter (Markdown)").FillAsync("Rydym ni yn gofyn i chi.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add the translation" }).ClickAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "served" }).WaitForAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = title, Exact = true }).WaitForAsync(); // text, not markup
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        foreach (var width in new[] { 360, 1280 })
        {
            await page.SetViewportSizeAsync(width, 800);
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"scrolls sideways at {width} px");
            await Chromium.ScreenshotAsync(page, $"console-translations-{width}");
        }

        var read = await app.Admin().GetAsync($"/api/letters/{letter["id"]}");
        await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { body = "A changed letter." }, read.Headers.ETag!.Tag);
        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Cell, new() { Name = "outdated: the letter changed; save it again to serve it" }).WaitForAsync();
        await page.GetByText("Edit the cy translation").ClickAsync();

        // Meanwhile, someone else saves the Welsh: the console's save is refused rather than overwriting theirs.
        var translation = $"/api/letters/{letter["id"]}/translations/cy";
        var theirs = new HttpRequestMessage(HttpMethod.Put, translation) { Content = JsonContent.Create(new { title = "Eu teitl", body = "Eu llythyr." }) };
        theirs.Headers.IfMatch.Add((await app.Admin().GetAsync(translation)).Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().SendAsync(theirs)).StatusCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await page.GetByText("The translation has changed since you read it").WaitForAsync();
        Assert.Equal("Eu teitl", (string)(await (await app.Admin().GetAsync(translation)).JsonAsync())["title"]!);

        await page.ReloadAsync();
        await page.GetByText("Edit the cy translation").ClickAsync();
        var saved = await page.RunAndWaitForResponseAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync(),
            r => r.Request.Method == "PUT" && r.Url.EndsWith("/translations/cy"));
        Assert.Equal(200, saved.Status);
        await page.GetByRole(AriaRole.Cell, new() { Name = "served" }).WaitForAsync();
        Assert.Single(errors, e => e.Contains("status of 412")); // the browser's own line for the refused save, and nothing else
        Assert.Single(errors);
    }

    [Fact]
    public async Task Axe_finds_no_serious_problem_and_nothing_scrolls_sideways_at_360_px()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures", new { kind = "individual", name = "Jane Roe", showName = true });
        await using var chromium = await Chromium.StartAsync();
        var page = await chromium.OpenAsync(Base + "/console", new() { BypassCSP = true, ViewportSize = new() { Width = 360, Height = 800 } });
        Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
        await page.GetByLabel("API key").FillAsync(TestApp.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        foreach (var (view, ready) in new[] { ("letters", "Letters"), ($"letters/{letter["id"]}", "Delivery"), ($"letters/{letter["id"]}/signatures", "Jane Roe"),
                                               ("letters/new", "Create the draft"), ("keys", "Create a key"), ("audit", "Audit trail, newest first"),
                                               ("health", "Background work on this instance") })
        {
            await page.GotoAsync($"{Base}/console#/{view}");
            await page.GetByText(ready, new() { Exact = true }).First.WaitForAsync();
            Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), $"{view} scrolls sideways at 360 px");
            await Chromium.ScreenshotAsync(page, "console-" + view.Replace('/', '-') + "-360");
        }
        await page.SetViewportSizeAsync(1280, 800);
        await page.GotoAsync($"{Base}/console#/health");
        await page.GetByText("Background work on this instance", new() { Exact = true }).First.WaitForAsync();
        Assert.Empty(await Chromium.AccessibilityProblemsAsync(page));
        await Chromium.ScreenshotAsync(page, "console-health-1280");
    }

    static async Task<string> PdfTextAsync(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return text;
    }
}

using Microsoft.Playwright;

namespace Undersigned.Tests;

/// <summary>Debian's headless Chromium driven by Playwright (no browser download), closed with the test.</summary>
public sealed class Chromium(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
{
    /// <summary>Where browser tests save screenshots; the tests print it, so CI's log says where to look.</summary>
    public static readonly string Screenshots = Path.Combine(Path.GetTempPath(), "undersigned-screenshots");

    public static async Task<Chromium> StartAsync()
    {
        var playwright = await Playwright.CreateAsync();
        return new(playwright, await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        }));
    }

    public async Task<IPage> OpenAsync(string url, BrowserNewPageOptions? options = null)
    {
        var page = await browser.NewPageAsync(options);
        await page.GotoAsync(url);
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
        Console.WriteLine($"Screenshot: {Path.Combine(Screenshots, name + ".png")}");
    }

    /// <summary>
    /// axe-core's serious and critical violations on the page, as "rule: targets". The page must have been opened with
    /// <c>BypassCSP</c>: axe is injected as a script, which the pages' own policy rightly refuses.
    /// </summary>
    public static async Task<string[]> AccessibilityProblemsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Path = AxeScript });
        return await page.EvaluateAsync<string[]>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))
            """);
    }

    /// <summary>axe-core as tests/setup.sh installs it (npm, pinned by tests/package-lock.json).</summary>
    static string AxeScript => NodeModule("axe-core", "axe.min.js");

    /// <summary>
    /// Lighthouse's accessibility score (0 to 1) for a page, with the audits that fell short, run by Lighthouse 12 (as
    /// tests/setup.sh installs it) in the system's Chromium.
    /// </summary>
    public static async Task<(double Score, string[] Failing)> LighthouseAccessibilityAsync(string url)
    {
        var report = Path.Combine(Directory.CreateTempSubdirectory("undersigned-lighthouse-").FullName, "report.json");
        var start = new System.Diagnostics.ProcessStartInfo("node",
            [NodeModule("lighthouse", "cli", "index.js"), url, "--only-categories=accessibility", "--output=json", $"--output-path={report}", "--quiet",
             "--chrome-flags=--headless=new --no-sandbox"]) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment["CHROME_PATH"] = "/usr/bin/chromium";
        using var lighthouse = System.Diagnostics.Process.Start(start)!;
        var errors = lighthouse.StandardError.ReadToEndAsync();
        await lighthouse.StandardOutput.ReadToEndAsync();
        await lighthouse.WaitForExitAsync();
        Assert.True(lighthouse.ExitCode == 0, $"Lighthouse failed: {await errors}");
        var result = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(report))!;
        var failing = result["audits"]!.AsObject()
            .Where(a => a.Value!["score"] is { } score && (double)score < 1 && (string?)a.Value["scoreDisplayMode"] == "binary")
            .Select(a => $"{a.Key}: {(string?)a.Value!["title"]}").ToArray();
        return ((double)result["categories"]!["accessibility"]!["score"]!, failing);
    }

    static string NodeModule(params string[] path)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine([dir.FullName, "tests", "node_modules", .. path]);
            if (File.Exists(file)) return file;
        }
        throw new FileNotFoundException($"{path[0]} is not installed: run tests/setup.sh.");
    }

    public async ValueTask DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Letters;

/// <summary>Text staff store must never take a letter offline or break a download: refused when written, and read safely if stored.</summary>
public sealed class StoredTextTests
{
    static readonly string DeeplyNested = string.Concat(Enumerable.Repeat("> ", 200)) + "x";
    static readonly string NestedJustEnough = string.Concat(Enumerable.Repeat("> ", 30)) + "x";

    [Fact]
    public async Task Markdown_nested_deeper_than_32_levels_is_refused_wherever_it_is_written_naming_the_field()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var admin = app.Admin();
        Assert.Equal(["body"], await (await admin.PostAsJsonAsync("/api/letters",
            new { title = "t", body = DeeplyNested, target = "t", closesAt = app.Clock.GetUtcNow().AddDays(5) })).ProblemAsync(400));
        Assert.Equal(["body"], await (await admin.PostAsJsonAsync("/api/letters",
            new { title = "t", body = string.Concat(Enumerable.Repeat("*", 100)) + "x" + string.Concat(Enumerable.Repeat("*", 100)), target = "t",
                closesAt = app.Clock.GetUtcNow().AddDays(5) })).ProblemAsync(400));
        var letter = await app.CreatePublishedLetterAsync(new { body = NestedJustEnough });

        var translation = new HttpRequestMessage(HttpMethod.Put, $"/api/letters/{letter["id"]}/translations/cy")
            { Content = JsonContent.Create(new { title = "Teitl", body = DeeplyNested }) };
        Assert.Equal(["body"], await (await admin.SendAsync(translation)).ProblemAsync(400));
        Assert.Equal(["body"], await (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/outcomes",
            new { kind = "other", occurredAt = app.Clock.GetUtcNow(), title = "t", body = DeeplyNested })).ProblemAsync(400));
        Assert.Equal(["body"], await (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/updates",
            new { subject = "s", body = DeeplyNested, preview = true })).ProblemAsync(400));
    }

    [Fact]
    public async Task Markdown_stored_before_the_check_is_shown_as_text_and_the_letter_stays_online()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        JsonObject letter;
        await using (var first = new TestApp(directory))
        {
            await first.InitializeAsync();
            letter = await first.CreatePublishedLetterAsync();
            await first.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/outcomes",
                new { kind = "other", occurredAt = first.Clock.GetUtcNow(), title = "Outcome", body = "fine" });
            await using var connection = await first.OpenDatabaseAsync();
            await connection.ExecuteAsync("UPDATE letters SET body = @DeeplyNested WHERE id = @id", new { DeeplyNested, id = (long)letter["id"]! });
            await connection.ExecuteAsync("UPDATE letter_outcomes SET body = @DeeplyNested", new { DeeplyNested });
        }
        await using var app = new TestApp(directory);
        await app.InitializeAsync();
        var slug = (string)letter["slug"]!;
        foreach (var url in new[] { $"/api/public/letters/{slug}", $"/letters/{slug}?lang=en", $"/api/public/letters/{slug}/count", $"/embed/{slug}",
                     $"/letters/{slug}/card.png", $"/api/letters/{letter["id"]}/delivery.pdf", $"/api/letters/{letter["id"]}/delivery.html" })
            Assert.True((await app.Admin().GetAsync(url)).IsSuccessStatusCode, url);
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, Signer.Individual("still@example.org"))).StatusCode);
    }

    [Fact]
    public async Task A_trailing_newline_passes_no_pattern_and_downloads_name_their_files_with_filename_star()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var admin = app.Admin();
        Assert.Equal(["slug"], await (await admin.PostAsJsonAsync("/api/letters",
            new { title = "t", body = "b", target = "t", closesAt = app.Clock.GetUtcNow().AddDays(5), slug = "nl-slug\n" })).ProblemAsync(400));
        Assert.Equal(["language"], await (await admin.PostAsJsonAsync("/api/letters",
            new { title = "t", body = "b", target = "t", closesAt = app.Clock.GetUtcNow().AddDays(5), language = "cy\n" })).ProblemAsync(400));
        Assert.Equal(["code"], await (await admin.PostAsJsonAsync("/api/partners", new { name = "P", code = "nlp\n" })).ProblemAsync(400));

        var letter = await app.CreatePublishedLetterAsync();
        var put = new HttpRequestMessage(HttpMethod.Put, $"/api/letters/{letter["id"]}/translations/cy%0A")
            { Content = JsonContent.Create(new { title = "Teitl", body = "Corff" }) };
        var refused = await admin.SendAsync(put);
        Assert.True(refused.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, refused.StatusCode.ToString());
        Assert.Empty((await (await admin.GetAsync($"/api/letters/{letter["id"]}/translations")).JsonAsync())["items"]!.AsArray());

        var pack = await admin.GetAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Equal($"{letter["slug"]}-letter-2026-11-23.md", pack.Content.Headers.ContentDisposition!.FileNameStar);
    }

    [Fact]
    public async Task Slugs_and_codes_stored_with_a_newline_are_trimmed_by_a_migration_and_a_collision_gets_2()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        await using (var first = new TestApp(directory))
        {
            await first.InitializeAsync();
            var taken = await first.CreateLetterAsync(new { slug = "nl-slug" });
            var broken = await first.CreateLetterAsync(new { slug = "nl-slug-x" });
            var alone = await first.CreateLetterAsync(new { slug = "alone-x" });
            await first.Admin().PostAsJsonAsync("/api/partners", new { name = "P", code = "nlp-x" });
            await using var connection = await first.OpenDatabaseAsync();
            // As stored before validation anchored its patterns.
            await connection.ExecuteAsync("UPDATE letters SET slug = 'nl-slug' || chr(10) WHERE slug = 'nl-slug-x'".Replace("chr(10)", TestDatabase.Postgres ? "chr(10)" : "char(10)"));
            await connection.ExecuteAsync("UPDATE letters SET slug = 'alone' || chr(10) WHERE slug = 'alone-x'".Replace("chr(10)", TestDatabase.Postgres ? "chr(10)" : "char(10)"));
            await connection.ExecuteAsync("UPDATE partners SET code = 'nlp' || chr(10) WHERE code = 'nlp-x'".Replace("chr(10)", TestDatabase.Postgres ? "chr(10)" : "char(10)"));
            await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE name = '0026_trim_identifiers.sql'");
        }
        await using var app = new TestApp(directory);
        await app.InitializeAsync();
        var slugs = (await (await app.Admin().GetAsync("/api/letters")).JsonAsync())["items"]!.AsArray().Select(l => (string)l!["slug"]!).ToList();
        Assert.Equal(["alone", "nl-slug", "nl-slug-2"], slugs.Order());
        Assert.Equal("nlp", (string)(await (await app.Admin().GetAsync("/api/partners")).JsonAsync())["items"]![0]!["code"]!);
        var audit = (await (await app.Admin().GetAsync("/api/audit")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(2, audit.Count(a => (string)a!["action"]! == "letter.slug.trimmed"));
        Assert.Single(audit, a => (string)a!["action"]! == "partner.code.trimmed");
    }
}

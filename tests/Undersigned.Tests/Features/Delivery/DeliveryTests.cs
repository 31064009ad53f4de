using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Features.Delivery.Export;

namespace Undersigned.Tests.Features.Delivery;

/// <summary>The staff CSV and the minister-ready pack: the right people, in the right order and form, and nothing private.</summary>
public sealed class DeliveryTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly string[] ScriptNames = ["ليلى حداد", "نیلوفر می‌خواهد", "Ольга Петренко", "ሰላማዊት ገብረ", "王秀英", "Nguyễn Thị Hoài", "Zoë Ðorđević"];

    async Task<JsonObject> AddAsync(JsonObject letter, object signatory)
    {
        var response = await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures", signatory);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    async Task<JsonObject> LetterWithSignatoriesAsync()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Protect migrants' data", body = "Dear Minister,\n\nWe ask you to act. <script>alert('x')</script> [click](javascript:alert(1))" });
        await AddAsync(letter, new { kind = "organisation", name = "Hidden Contact", role = "Secret Role", organisation = "Open Rights Group", email = "contact@org.example", showName = true });
        await AddAsync(letter, new { kind = "organisation", name = "Other Contact", organisation = "Liberty", showName = true });
        await AddAsync(letter, new { kind = "individual", name = "Zed Person", role = "Professor", organisation = "University of Life", email = "zed@example.org", showName = true });
        await AddAsync(letter, new { kind = "individual", name = "Anon Person", email = "anon@example.org", showName = false });
        foreach (var name in ScriptNames) await AddAsync(letter, new { kind = "individual", name, showName = true });
        return letter;
    }

    [Fact]
    public async Task The_CSV_has_every_column_every_script_a_BOM_and_a_dated_file_name()
    {
        var letter = await LetterWithSignatoriesAsync();
        var response = await app.Admin().GetAsync($"/api/letters/{letter["id"]}/export.csv");

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{letter["slug"]}-signatories-2026-11-23.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes[3..]));
        Assert.Equal(["kind", "display name", "name", "role", "organisation", "email", "status", "shown publicly", "text version", "staff added", "signed at", "confirmed at",
            "language", "consent wording"], rows[0]);
        Assert.Equal(11, rows.Count - 1);
        foreach (var name in ScriptNames) Assert.Contains(rows, r => r[2] == name && r[1] == name);
        var zed = rows.Single(r => r[2] == "Zed Person");
        Assert.Equal(["individual", "Zed Person (Professor, University of Life)", "Zed Person", "Professor", "University of Life", "zed@example.org", "confirmed", "yes", "1", "yes"], zed[..10]);
        Assert.Equal("no", rows.Single(r => r[2] == "Anon Person")[7]);
    }

    [Fact]
    public async Task The_CSV_makes_formulas_inert_and_filters_by_status()
    {
        var letter = await app.CreatePublishedLetterAsync();
        foreach (var name in new[] { "=HYPERLINK(\"x\")", "+44 20 7946 0000", "-2+3", "Plain Name" })
            await AddAsync(letter, new { kind = "individual", name, showName = true });
        var rows = ParseCsv(Encoding.UTF8.GetString((await app.Admin().GetByteArrayAsync($"/api/letters/{letter["id"]}/export.csv"))[3..]));
        Assert.Equal(["'=HYPERLINK(\"x\")", "'+44 20 7946 0000", "'-2+3", "Plain Name"], rows.Skip(1).Select(r => r[2]));
        Assert.All(new[] { "@SUM(A1)", "\tcmd", "\rcmd" }, cell => Assert.StartsWith("'", Undersigned.Infrastructure.Csv.Inert(cell)));

        Assert.Single(ParseCsv(Encoding.UTF8.GetString((await app.Admin().GetByteArrayAsync($"/api/letters/{letter["id"]}/export.csv?status=pending"))[3..])));
        Assert.Equal(["status"], await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/export.csv?status=signed")).ProblemAsync(400));
        await (await app.Admin().GetAsync("/api/letters/999999/export.csv")).ProblemAsync(404);
    }

    [Fact]
    public async Task The_CSV_streams_with_backpressure_so_memory_stays_flat_for_10000_signatures()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await using (var connection = await app.OpenDatabaseAsync())
        {
            await using var tx = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("""
                INSERT INTO signatures (letter_id, kind, status, name, organisation, show_name, text_version, signed_at, confirmed_at)
                VALUES (@id, 'individual', 'confirmed', @name, @organisation, @shown, 1, 0, 0)
                """, Enumerable.Range(0, 10_000).Select(i => new
            {
                id = (long)letter["id"]!, name = $"Signer {i} " + new string('n', 80), organisation = new string('o', 150), shown = true,
            }), tx);
            await tx.CommitAsync();
        }

        using var response = await app.Admin().GetAsync($"/api/letters/{letter["id"]}/export.csv", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = new byte[64 * 1024];
        await body.ReadExactlyAsync(first);
        // ~2.7 MB remain unread, and the server has not finished: it holds one batch while the client is slow.
        Assert.Equal(0, await ExportsRecordedAsync(letter));

        var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        Assert.Equal(10_001, Encoding.UTF8.GetString([.. first, .. rest.ToArray()]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        await WaitForExportRecordAsync(letter);
    }

    async Task<long> ExportsRecordedAsync(JsonObject letter)
    {
        await using var connection = await app.OpenDatabaseAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_log WHERE letter_id = @id AND action = 'export.csv'", new { id = (long)letter["id"]! });
    }

    async Task WaitForExportRecordAsync(JsonObject letter)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ExportsRecordedAsync(letter) == 0 && DateTime.UtcNow < deadline) await Task.Yield();
    }

    [Fact]
    public async Task The_pack_lists_confirmed_signatories_in_order_and_nothing_private_in_every_format()
    {
        var letter = await LetterWithSignatoriesAsync();
        var url = $"/api/letters/{letter["id"]}/delivery";
        var markdown = await app.Admin().GetStringAsync($"{url}.md");
        var html = await app.Admin().GetStringAsync($"{url}.html");

        var expected = new[] { "Liberty", "Open Rights Group" };
        foreach (var document in new[] { markdown, html })
        {
            Assert.Contains("Protect migrants' data".Replace("'", document == html ? "&#39;" : "'"), document);
            Assert.True(document.IndexOf("Liberty") < document.IndexOf("Open Rights Group"));
            Assert.True(document.IndexOf("Open Rights Group") < document.IndexOf("Zed Person"));
            Assert.Contains("and 1 other who chose not to be named", document);
            foreach (var secret in new[] { "@org.example", "@example.org", "Hidden Contact", "Secret Role", "Anon Person", "Other Contact" })
                Assert.DoesNotContain(secret, document);
        }
        // Each entry isolated, so a right-to-left name cannot reorder its neighbours.
        Assert.Contains("- \u2068Zed Person (Professor, University of Life)\u2069", markdown);
        Assert.Contains("Zed Person (Professor, University of Life)</li>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.DoesNotContain("<script", markdown);
        Assert.Matches("SHA-256 [0-9a-f]{64}", markdown);

        var pdf = await app.Admin().GetByteArrayAsync($"{url}.pdf");
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(pdf[..4]));
        var text = await PdfTextAsync(pdf);
        foreach (var name in ScriptNames.Concat(expected).Append("Zed Person (Professor, University of Life)"))
            Assert.Contains(name, text);
        foreach (var secret in new[] { "@org.example", "@example.org", "Hidden Contact", "Secret Role", "Anon Person" }) Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task Moderation_corrections_and_earlier_wordings_show_in_the_pack_and_exports_are_recorded()
    {
        var letter = await app.CreateLetterAsync(new { moderation = "all" });
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        var added = await AddAsync(letter, new { kind = "individual", name = "Jnae Typo", showName = true });
        var etag = (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag;
        await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { body = "Sharper wording." }, etag);
        await AddAsync(letter, new { kind = "individual", name = "New Wording Signer", showName = true });

        var corrected = await app.Admin().PatchAsJsonAsync($"/api/letters/{letter["id"]}/signatures/{added["id"]}", new { name = "Jane Typo-Fixed" });
        Assert.Equal("Jane Typo-Fixed", (string?)(await corrected.JsonAsync())["name"]);
        Assert.Equal(["name"], await (await app.Admin().PatchAsJsonAsync($"/api/letters/{letter["id"]}/signatures/{added["id"]}",
            new { name = "www.spam.example" })).ProblemAsync(400));

        var markdown = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Contains("- \u2068Jane Typo\\-Fixed\u2069 †", markdown.Replace("Typo-Fixed", "Typo\\-Fixed"));
        Assert.DoesNotContain("Jnae", markdown);
        Assert.Contains("† signed an earlier wording", markdown);

        await using (var connection = await app.OpenDatabaseAsync())
        {
            var audit = await connection.QuerySingleAsync<string>("SELECT details FROM audit_log WHERE action = 'signature.correct' AND signature_id = @id", new { id = (long)added["id"]! });
            Assert.Contains("Jnae Typo", audit);
        }

        var exports = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/exports")).JsonAsync();
        var record = Assert.Single(exports["items"]!.AsArray())!;
        Assert.Equal(("delivery.md", 2L), ((string)record["format"]!, (long)record["rows"]!));

        await using var staffApp = new TestApp();
        await staffApp.InitializeAsync();
        await (await staffApp.Anonymous().GetAsync($"/api/letters/{letter["id"]}/export.csv")).ProblemAsync(401);
    }

    [Fact]
    public async Task Preview_includes_signatures_in_review_marked_as_such()
    {
        var letter = await app.CreateLetterAsync(new { moderation = "all" });
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        await using (var connection = await app.OpenDatabaseAsync())
            await connection.ExecuteAsync("""
                INSERT INTO signatures (letter_id, kind, status, name, show_name, text_version, signed_at)
                VALUES (@id, 'individual', 'review', 'Waiting Person', @shown, 1, 0)
                """, new { id = (long)letter["id"]!, shown = true });

        Assert.DoesNotContain("Waiting Person", await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md"));
        var preview = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md?preview=true");
        Assert.Contains("Waiting Person [in review]", preview);
        Assert.Contains("PREVIEW", preview);
    }

    internal static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var path = Path.GetTempFileName();
        await File.WriteAllBytesAsync(path, pdf);
        using var process = Process.Start(new ProcessStartInfo("pdftotext", [path, "-"]) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        // pdftotext wraps right-to-left runs in embedding marks; they are not part of the names.
        return text.Replace("\u202B", "").Replace("\u202C", "");
    }

    static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                fields.Add(field.ToString()); field.Clear();
                rows.Add([.. fields]); fields.Clear(); i++;
            }
            else field.Append(c);
        }
        return rows;
    }

    [Fact]
    public async Task Entities_in_names_stay_text_in_the_markdown_pack()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "individual", name = "https&#58;//evil&#46;example", showName = true });
        var pack = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Contains(@"- https\&#58;//evil\&#46;example", pack);
        Assert.Contains("https&amp;#58;//evil&amp;#46;example", await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.html"));
    }

    [Fact]
    public async Task Names_in_every_script_are_ordered_the_same_way_on_either_engine()
    {
        var letter = await app.CreatePublishedLetterAsync();
        // Added in scrambled order; one comparer (en-GB, in C#) orders them, whatever the database would.
        foreach (var name in new[] { "王秀英", "Zoë Adams", "ليلى حداد", "Ángel Ruiz", "Ольга Петренко", "émile Bernard" })
            Assert.Equal(HttpStatusCode.Created, (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
                new { kind = "individual", name, showName = true })).StatusCode);

        var markdown = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        var listed = markdown.Split('\n').Where(l => l.StartsWith("- ")).Select(l => l[2..].Trim().Trim('\u2068', '\u2069')).ToList();
        Assert.Equal(["Ángel Ruiz", "émile Bernard", "Zoë Adams", "Ольга Петренко", "ليلى حداد", "王秀英"], listed);
    }
}

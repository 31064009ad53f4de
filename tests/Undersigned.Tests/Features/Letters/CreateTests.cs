using System.Net;
using System.Net.Http.Json;

namespace Undersigned.Tests.Features.Letters;

public sealed class CreateTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Creates_a_draft_with_defaults_location_and_etag()
    {
        var response = await app.Admin().PostAsJsonAsync("/api/letters", new
        {
            title = "Stop the data-sharing deal — now!",
            body = "Dear Minister,",
            target = "Minister for Migration",
            closesAt = "2026-12-24T17:00:00+00:00",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var letter = await response.JsonAsync();
        Assert.Equal($"/api/letters/{letter["id"]}", response.Headers.Location?.ToString());
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("draft", (string?)letter["status"]);
        Assert.StartsWith("stop-the-data-sharing-deal-now", (string?)letter["slug"]);
        Assert.Equal("Europe/London", (string?)letter["timeZone"]);
        Assert.Equal("none", (string?)letter["moderation"]);
        Assert.Equal("off", (string?)letter["challenge"]);
        Assert.Equal(90, (int)letter["retainContactDays"]!);
        Assert.Equal("2026-12-24T17:00:00.000Z", (string?)letter["closesAt"]);
        Assert.Null(letter["textVersion"]);

        var read = await app.Admin().GetAsync($"/api/letters/{letter["id"]}");
        Assert.Equal(response.Headers.ETag, read.Headers.ETag);
        Assert.Equal((string?)letter["title"], (string?)(await read.JsonAsync())["title"]);
    }

    [Fact]
    public async Task Generated_slugs_stay_unique_and_a_chosen_slug_that_is_taken_is_a_conflict()
    {
        var first = await app.CreateLetterAsync(new { title = "Same title", slug = (string?)null });
        var second = await app.CreateLetterAsync(new { title = "Same title" });
        Assert.NotEqual((string?)first["slug"], (string?)second["slug"]);

        var clash = await app.Admin().PostAsJsonAsync("/api/letters", new
        {
            title = "Other", body = "b", target = "t", closesAt = "2026-12-24T17:00:00Z", slug = (string?)first["slug"],
        });
        Assert.Equal(["slug"], await clash.ProblemAsync(409));
    }

    [Fact]
    public async Task Keeps_text_in_NFC()
    {
        var decomposed = "Cafe\u0301 Lo\u0308we";
        var letter = await app.CreateLetterAsync(new { title = decomposed, target = decomposed });
        Assert.Equal("Café Löwe", (string?)letter["title"]);
        Assert.Equal("Café Löwe", (string?)letter["target"]);
    }

    [Theory]
    [InlineData("""{"body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z"}""", "title")]
    [InlineData("""{"title":"t","target":"t","closesAt":"2026-12-24T17:00:00Z"}""", "body")]
    [InlineData("""{"title":"t","body":"b","closesAt":"2026-12-24T17:00:00Z"}""", "target")]
    [InlineData("""{"title":"t","body":"b","target":"t"}""", "closesAt")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00"}""", "closesAt")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2020-01-01T00:00:00Z"}""", "closesAt")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","opensAt":"2026-12-25T00:00:00Z"}""", "opensAt")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","timeZone":"Mars/Olympus"}""", "timeZone")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","slug":"Not A Slug"}""", "slug")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","moderation":"some"}""", "moderation")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","challenge":"maybe"}""", "challenge")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","allowedOrigins":["https://ok.org","https://a.org/path"]}""", "allowedOrigins[1]")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","retainContactDays":0}""", "retainContactDays")]
    [InlineData("""{"title":"line\nbreak","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z"}""", "title")]
    [InlineData("""{"title":5,"body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z"}""", "title")]
    [InlineData("""{"title":"t","body":"b","target":"t","closesAt":"2026-12-24T17:00:00Z","retainContactDays":"many"}""", "retainContactDays")]
    [InlineData("""{"title":"t",""", "body")]
    [InlineData("""[1,2]""", "body")]
    public async Task Names_the_bad_field(string json, string field)
    {
        var response = await app.Admin().PostAsync("/api/letters", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var errors = await response.ProblemAsync(400);
        Assert.Contains(field, errors);
        Assert.DoesNotContain("System.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Normalises_allowed_origins()
    {
        var letter = await app.CreateLetterAsync(new { allowedOrigins = new[] { "HTTPS://Partner.ORG:443", "http://localhost:8080" } });
        Assert.Equal(["https://partner.org", "http://localhost:8080"], letter["allowedOrigins"]!.AsArray().Select(o => (string)o!));
    }
}

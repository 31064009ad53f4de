using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Infrastructure;

/// <summary>What a client can send wrong gets a problem naming it, never a 500, and changes nothing.</summary>
public sealed class ErrorTests(TestApp app) : IClassFixture<TestApp>
{
    [Fact]
    public async Task Bodies_over_256_KB_are_413_whether_announced_or_streamed()
    {
        var big = "{\"title\":\"" + new string('a', 300 * 1024) + "\"}";
        await (await app.Admin().PostAsync("/api/letters", new StringContent(big, System.Text.Encoding.UTF8, "application/json"))).ProblemAsync(413);

        var streamed = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/letters") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        await (await app.Admin().SendAsync(request)).ProblemAsync(413);
    }

    [Fact]
    public async Task Non_json_bodies_are_415()
    {
        var response = await app.Admin().PostAsync("/api/letters", new StringContent("<letter/>", System.Text.Encoding.UTF8, "application/xml"));
        await response.ProblemAsync(415);
    }

    [Fact]
    public async Task Malformed_json_names_where_it_broke_without_parser_internals()
    {
        var response = await app.Admin().PostAsync("/api/letters", new StringContent("{\"title\": tru", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(["title"], await response.ProblemAsync(400));
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("System.Text.Json", text);
        Assert.DoesNotContain("BytePositionInLine", text);
    }

    [Fact]
    public async Task Fields_that_fail_to_parse_are_reported_with_those_that_fail_validation()
    {
        var created = await app.Admin().PostAsJsonAsync("/api/letters",
            new { title = "", body = "x", target = "y", timeZone = "Mars/Olympus_Mons", closesAt = "next tuesday" });
        Assert.Equal(["closesAt", "timeZone", "title"], (await created.ProblemAsync(400)).Order());

        var letter = await app.CreatePublishedLetterAsync();
        var signed = await app.Anonymous().PostAsJsonAsync($"/api/public/letters/{letter["slug"]}/signatures",
            new { kind = "individual", name = "", email = 5, showName = "yes", consent = true, textVersion = 1 });
        Assert.Equal(["email", "name", "showName"], (await signed.ProblemAsync(400)).Order());

        var etag = (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag;
        var patched = await app.Admin().PatchJsonAsync($"/api/letters/{letter["id"]}", new { title = "", opensAt = "soon" }, etag);
        Assert.Equal(["opensAt", "title"], (await patched.ProblemAsync(400)).Order());
    }

    [Fact]
    public async Task A_field_given_twice_is_a_400_naming_it_not_a_500()
    {
        static StringContent Body(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
        var created = await app.Admin().PostAsync("/api/letters", Body("""{"title":"A","title":"B","body":"x","target":"y","closesAt":"2027-01-01T00:00:00Z"}"""));
        Assert.Equal(["title"], await created.ProblemAsync(400));

        var letter = await app.CreatePublishedLetterAsync();
        var etag = (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).Headers.ETag!.Tag;
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/letters/{letter["id"]}") { Content = Body("""{"target":"A","target":"B"}""") };
        patch.Headers.TryAddWithoutValidation("If-Match", etag);
        await (await app.Admin().SendAsync(patch)).ProblemAsync(400);

        var signed = await app.Anonymous().PostAsync($"/api/public/letters/{letter["slug"]}/signatures", Body("""
            {"kind":"individual","name":"Jane Roe","name":"Someone Else","email":"twice@example.org","showName":true,"consent":true,"textVersion":1}
            """));
        Assert.Equal(["name"], await signed.ProblemAsync(400));
    }

    [Fact]
    public async Task Bidi_controls_and_line_separators_are_refused_in_letter_fields_by_name()
    {
        var body = new { title = "Protect \u202edata", body = "Text \u2066isolated\u2069", target = "The\u2028Minister", closesAt = "2027-01-01T00:00:00Z" };
        Assert.Equal(["body", "target", "title"], (await (await app.Admin().PostAsJsonAsync("/api/letters", body)).ProblemAsync(400)).Order());
    }

    [Fact]
    public async Task Dates_beyond_ten_years_are_refused_so_nothing_worked_out_from_them_overflows()
    {
        var farOff = new { closesAt = "9999-12-31T23:00:00Z" };
        var body = new { title = "Far off", body = "x", target = "y", closesAt = "9999-12-31T23:00:00Z" };
        Assert.Equal(["closesAt"], await (await app.Admin().PostAsJsonAsync("/api/letters", body)).ProblemAsync(400));

        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(["closesAt"], await (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/deadline",
            new { farOff.closesAt, reason = "Forever" })).ProblemAsync(400));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/retention")).StatusCode);
    }

    [Fact]
    public async Task Unknown_routes_are_404_problems()
        => await (await app.Anonymous().GetAsync("/api/nothing-here")).ProblemAsync(404);

    [Fact]
    public async Task Bad_requests_store_nothing()
    {
        await using var before = await app.OpenDatabaseAsync();
        var count = await before.ExecuteScalarAsync<long>("SELECT count(*) FROM letters");
        foreach (var body in new[] { "{", "[]", "{\"title\":5}", "{\"closesAt\":\"yesterday\"}", "null", "\"text\"" })
        {
            var response = await app.Admin().PostAsync("/api/letters", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(400, (int)response.StatusCode);
        }
        Assert.Equal(count, await before.ExecuteScalarAsync<long>("SELECT count(*) FROM letters"));
    }

    [Fact]
    public async Task Responses_carry_no_server_banner()
        => Assert.False((await app.Anonymous().GetAsync("/healthz")).Headers.Contains("Server"));
}

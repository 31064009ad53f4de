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
    public async Task Unknown_routes_are_404_problems()
        => await (await app.Anonymous().GetAsync("/api/nothing-here")).ProblemAsync(404);

    [Fact]
    public async Task Bad_requests_store_nothing()
    {
        await using var before = new SqliteConnection($"Data Source={app.DatabasePath}");
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

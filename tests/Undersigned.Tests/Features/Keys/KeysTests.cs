using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Features.Keys;

public sealed class KeysTests
{
    [Fact]
    public async Task A_new_key_is_shown_once_works_and_is_stored_only_as_a_hash()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var created = await app.Admin().PostAsJsonAsync("/api/keys", new { name = "Amina (campaigns)", role = "staff" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var secret = (string)body["secret"]!;
        Assert.StartsWith((string)body["key"]!["hint"]!.ToString().TrimEnd('…'), secret);

        Assert.Equal(HttpStatusCode.OK, (await app.WithKey(secret).GetAsync("/api/letters")).StatusCode);
        var listed = await (await app.Admin().GetAsync("/api/keys")).JsonAsync();
        Assert.DoesNotContain(secret, listed.ToJsonString());
        Assert.Contains("Amina (campaigns)", listed.ToJsonString());

        Assert.False(await app.StoresAsync(secret));
        Assert.False(await app.StoresAsync(TestApp.AdminKey));
    }

    [Fact]
    public async Task A_new_configured_admin_key_replaces_the_old_one_and_a_revoked_one_stays_revoked()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        const string first = "first-configured-admin-key", second = "second-configured-admin-key";
        await using (var app = new TestApp(directory, new() { ["Undersigned:AdminKey"] = first })) await app.InitializeAsync();

        string backup;
        await using (var app = new TestApp(directory, new() { ["Undersigned:AdminKey"] = second }))
        {
            await app.InitializeAsync();
            await (await app.WithKey(first).GetAsync("/api/keys")).ProblemAsync(401);
            var keys = (await (await app.WithKey(second).GetAsync("/api/keys")).JsonAsync())["items"]!.AsArray();
            Assert.All(keys, k => Assert.Equal("(from configuration)", (string)k!["hint"]!)); // nothing of a key a person chose

            backup = (string)(await (await app.WithKey(second).PostAsJsonAsync("/api/keys", new { name = "backup admin", role = "admin" })).JsonAsync())["secret"]!;
            var configured = keys.Single(k => k!["revokedAt"] is null)!;
            Assert.Equal(HttpStatusCode.NoContent, (await app.WithKey(backup).DeleteAsync($"/api/keys/{configured["id"]}")).StatusCode);
        }

        await using (var app = new TestApp(directory, new() { ["Undersigned:AdminKey"] = second }))
        {
            await app.InitializeAsync();
            await (await app.WithKey(second).GetAsync("/api/keys")).ProblemAsync(401);
            Assert.Equal(HttpStatusCode.OK, (await app.WithKey(backup).GetAsync("/api/keys")).StatusCode);
            Assert.Contains(app.Logs, line => line.Contains("stays revoked"));
        }
    }

    [Fact]
    public async Task A_revoked_key_stops_working()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var (secret, id) = await app.NewKeyAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/keys/{id}")).StatusCode);
        await (await app.WithKey(secret).GetAsync("/api/letters")).ProblemAsync(401);
        await (await app.Admin().DeleteAsync($"/api/keys/{id}")).ProblemAsync(404);
    }

    [Fact]
    public async Task The_last_admin_key_cannot_be_deleted()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var keys = await (await app.Admin().GetAsync("/api/keys")).JsonAsync();
        var adminId = (long)keys["items"]!.AsArray().Single(k => (string)k!["role"]! == "admin")!["id"]!;
        await (await app.Admin().DeleteAsync($"/api/keys/{adminId}")).ProblemAsync(409);

        var (second, secondId) = await app.NewKeyAsync("admin");
        Assert.Equal(HttpStatusCode.NoContent, (await app.WithKey(second).DeleteAsync($"/api/keys/{adminId}")).StatusCode);
        await (await app.WithKey(second).DeleteAsync($"/api/keys/{secondId}")).ProblemAsync(409);
    }

    [Theory]
    [InlineData("""{"name":"","role":"staff"}""", "name")]
    [InlineData("""{"name":"x","role":"owner"}""", "role")]
    [InlineData("""{"name":"x"}""", "role")]
    public async Task Refuses_bad_keys(string json, string field)
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var response = await app.Admin().PostAsync("/api/keys", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal([field], await response.ProblemAsync(400));
    }
}

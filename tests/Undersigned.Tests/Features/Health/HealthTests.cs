using System.Net;
using System.Net.Http.Json;
using Dapper;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_tells_the_version_and_schema_and_readyz_is_ready_degraded_or_not_ready_with_reasons_for_metrics_keys_only()
    {
        await using var smtp = SmtpServer.Reserve(); // nothing listens: mail is held
        await using var app = new TestApp(null, smtp.Settings);
        await app.InitializeAsync();
        var health = await (await app.Anonymous().GetAsync("/healthz")).JsonAsync();
        Assert.Equal("ok", (string)health["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)health["version"]));
        Assert.Equal(Path.GetFileNameWithoutExtension(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "migrations", TestDatabase.Postgres ? "postgres" : "sqlite")).Order().Last()),
            (string)health["schemaVersion"]!);

        var ready = await app.Anonymous().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (string)(await ready.JsonAsync())["status"]!);

        var metrics = app.WithKey((string)(await (await app.Admin().PostAsJsonAsync("/api/keys", new { name = "monitoring", role = "metrics" })).JsonAsync())["secret"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await metrics.GetAsync("/api/letters")).StatusCode); // nothing else

        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("waiting@example.org"));
        await app.WaitForLogAsync(line => line.Contains("Mail is held"));
        var degraded = await app.Anonymous().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode); // signatures are still taken
        var anonymous = await degraded.JsonAsync();
        Assert.Equal("degraded", (string)anonymous["status"]!);
        Assert.Null(anonymous["reasons"]);
        var reasons = (await (await metrics.GetAsync("/readyz")).JsonAsync())["reasons"]!.AsArray();
        Assert.Contains(reasons, r => ((string)r!).StartsWith("mail:"));

        // A newer version upgraded the shared database: this instance cannot take signatures.
        await using (var connection = await app.OpenDatabaseAsync())
            await connection.ExecuteAsync("INSERT INTO schema_migrations (name, sha256, applied_at) VALUES ('9999_from_the_future.sql', 'x', 0)");
        var notReady = await app.Admin().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        var body = await notReady.JsonAsync();
        Assert.Equal("not ready", (string)body["status"]!);
        Assert.Contains(body["reasons"]!.AsArray(), r => ((string)r!).Contains("9999_from_the_future.sql"));
    }
}

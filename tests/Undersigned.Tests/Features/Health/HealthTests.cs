using System.Net;
using System.Net.Http.Json;
using Dapper;
using System.Text.Json.Nodes;
using Undersigned.Services.Mail;
using Undersigned.Tests.Features.Signing;
using Undersigned.Tests.Features.Webhooks;

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

    [Fact]
    public async Task The_admin_health_view_shows_held_mail_signers_who_must_sign_again_failing_webhooks_and_each_loop()
    {
        await using var smtp = SmtpServer.Reserve(); // nothing listens at first: mail is held
        await using var receiver = await Receiver.StartAsync();
        receiver.Answers.Enqueue(500);
        await using var app = new TestApp(null, new(smtp.Settings)
        {
            ["Undersigned:Webhooks:AllowPrivateNetworks"] = "true", ["Undersigned:Webhooks:AllowHttp"] = "true",
        });
        await app.InitializeAsync();
        var staff = app.WithKey((string)(await (await app.Admin().PostAsJsonAsync("/api/keys", new { name = "staff", role = "staff" })).JsonAsync())["secret"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.GetAsync("/api/admin/health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync("/api/admin/health")).StatusCode);
        Task<JsonObject> HealthAsync() => app.Admin().GetFromJsonAsync<JsonObject>("/api/admin/health")!;
        async Task<JsonObject> HealthUntilAsync(Func<JsonObject, bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            JsonObject health;
            while (!done(health = (await HealthAsync())!) && DateTime.UtcNow < deadline) await Task.Yield();
            return health;
        }
        static JsonNode? Letter(JsonObject health) => health["letters"]!.AsArray().SingleOrDefault();

        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("waiting@example.org"));
        await app.WaitForLogAsync(line => line.Contains("Mail is held"));
        var held = (await HealthAsync())!;
        Assert.Equal("degraded", (string)held["status"]!);
        Assert.Equal("held", (string)held["mailTransport"]!);
        Assert.Equal(1, (long)held["mailBacklog"]!);
        Assert.NotNull(held["oldestMailQueuedAt"]);
        Assert.Equal((string)letter["slug"]!, (string)Letter(held)!["slug"]!);
        Assert.Equal(1, (long)Letter(held)!["waiting"]!);

        // The relay is back; one address is refused for good while other mail goes: that signer must sign again.
        await smtp.StartListeningAsync();
        app.Clock.Advance(OutboxSender.MaxBackoff);
        await smtp.WaitForMailAsync("waiting@example.org");
        await app.Anonymous().SignAsync(letter, Signer.Individual("nobody@refused.example"));
        await app.Anonymous().SignAsync(letter, Signer.Individual("after@example.org"));
        await smtp.WaitForMailAsync("after@example.org");
        var refused = await HealthUntilAsync(h => Letter(h) is { } l && (long)l["undeliverable"]! == 1);
        Assert.Equal("flowing", (string)refused["mailTransport"]!);
        Assert.Equal(0, (long)Letter(refused)!["waiting"]!);
        Assert.Equal(1, (long)Letter(refused)!["mustSignAgain"]!);
        Assert.DoesNotContain("refused.example", refused.ToJsonString());

        // A webhook endpoint that fails shows with its error; each loop with its last success; the retention run.
        var webhook = await (await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "letter.closed" } })).JsonAsync();
        await app.Admin().PostAsync($"/api/webhooks/{webhook["webhook"]!["id"]}/ping", null);
        var failing = await HealthUntilAsync(h => h["webhooks"]!.AsArray().Count == 1);
        var endpoint = failing["webhooks"]!.AsArray().Single()!;
        Assert.Equal((long)webhook["webhook"]!["id"]!, (long)endpoint["id"]!);
        Assert.NotNull(endpoint["failingSince"]);
        Assert.Contains("500", (string)endpoint["lastError"]!);
        var loops = failing["loops"]!.AsArray().ToDictionary(l => (string)l!["name"]!);
        Assert.NotNull(loops["writer"]!["lastSuccess"]);
        Assert.NotNull(loops["outbox"]!["lastSuccess"]);
        Assert.Null(loops["outbox"]!["failingSince"]);
        Assert.NotNull(failing["lastRetentionRun"]);
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Undersigned.Tests.Features.Signing;
using Undersigned.Tests.Features.Webhooks;

namespace Undersigned.Tests.Features.Health;

/// <summary>The Prometheus scrape, from a service process of its own (its instruments are nobody else's).</summary>
public sealed class MetricsTests
{
    /// <summary>The value of the first sample of <paramref name="name"/> whose labels contain each of <paramref name="labels"/>; 0 when none.</summary>
    static double Sample(string scrape, string name, params string[] labels)
        => scrape.Split('\n').Where(line => Regex.IsMatch(line, $@"^{Regex.Escape(name)}(\{{|\s)") && labels.All(line.Contains))
            .Select(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();

    [Fact]
    public async Task A_metrics_key_scrapes_what_moved_and_nothing_personal()
    {
        await using var smtp = SmtpServer.Reserve(); // down at first: the email waits in the outbox
        await using var receiver = await Receiver.StartAsync();
        for (var i = 0; i < 10; i++) receiver.Answers.Enqueue(500);
        var directory = Directory.CreateTempSubdirectory("undersigned-metrics-").FullName;
        var settings = new Dictionary<string, string?>(smtp.Settings)
        {
            ["Undersigned:Webhooks:AllowPrivateNetworks"] = "true", ["Undersigned:Webhooks:AllowHttp"] = "true",
        };
        await using var service = await ServiceProcess.StartAsync(directory, settings);
        var admin = service.Client();
        var metricsKey = (string)(await (await admin.PostAsJsonAsync("/api/keys", new { name = "prometheus", role = "metrics" })).JsonAsync())["secret"]!;
        var staffKey = (string)(await (await admin.PostAsJsonAsync("/api/keys", new { name = "staff", role = "staff" })).JsonAsync())["secret"]!;
        var metrics = service.Client(metricsKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Client(key: null).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.Client(staffKey).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync("/metrics")).StatusCode); // never an admin key
        Task<string> ScrapeAsync() => metrics.GetStringAsync("/metrics");
        async Task<string> ScrapeUntilAsync(Func<string, bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            string scrape;
            while (!done(scrape = await ScrapeAsync()) && DateTime.UtcNow < deadline) await Task.Yield();
            return scrape;
        }

        var before = await ScrapeAsync();
        var created = await (await admin.PostAsJsonAsync("/api/letters", new { title = "Counted letter", body = "b", target = "t", closesAt = DateTimeOffset.UtcNow.AddDays(3) })).JsonAsync();
        var letter = await (await admin.PostAsync($"/api/letters/{created["id"]}/publish", null)).JsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await service.Client(key: null).SignAsync(letter, Signer.Individual("measured@example.org"))).StatusCode);

        var waiting = await ScrapeUntilAsync(s => Sample(s, "undersigned_outbox_backlog", "scope=\"database\"") >= 1);
        Assert.Equal(Sample(before, "undersigned_signatures_received_total") + 1, Sample(waiting, "undersigned_signatures_received_total"));
        Assert.Equal(1, Sample(waiting, "undersigned_outbox_backlog", "scope=\"database\""));

        await smtp.StartListeningAsync();
        var mail = await smtp.WaitForMailAsync("measured@example.org");
        var drained = await ScrapeUntilAsync(s => Sample(s, "undersigned_outbox_backlog", "scope=\"database\"") == 0);
        Assert.Equal(0, Sample(drained, "undersigned_outbox_backlog", "scope=\"database\""));
        Assert.True(Sample(drained, "undersigned_emails_total", "outcome=\"sent\"") >= 1);
        var verify = Signer.TokenFrom(mail, "verify");
        Assert.Equal(HttpStatusCode.OK, (await service.Client(key: null).VerifyAsync(verify)).StatusCode);

        var webhook = await (await admin.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "letter.closed" } })).JsonAsync();
        var webhookId = (long)webhook["webhook"]!["id"]!;
        await admin.PostAsync($"/api/webhooks/{webhookId}/ping", null);
        var failed = await ScrapeUntilAsync(s => Sample(s, "undersigned_webhook_deliveries_total", $"endpoint_id=\"{webhookId}\"", "outcome=\"failed\"") >= 1);
        Assert.True(Sample(failed, "undersigned_webhook_deliveries_total", $"endpoint_id=\"{webhookId}\"", "outcome=\"failed\"") >= 1);
        Assert.True(Sample(failed, "undersigned_writer_batch_size_count") >= 1);
        Assert.Contains("http_server_request_duration_seconds", failed);
        Assert.Contains("undersigned_loop_last_success", failed);

        foreach (var secret in new[] { "measured@example.org", "measured", verify, receiver.Url, (string)letter["slug"]!, metricsKey })
            Assert.DoesNotContain(secret, failed);
    }

    [Fact]
    public async Task Metrics_turned_off_are_not_served()
    {
        await using var app = new TestApp(null, new() { ["Undersigned:Metrics:Enabled"] = "false" });
        await app.InitializeAsync();
        var key = (string)(await (await app.Admin().PostAsJsonAsync("/api/keys", new { name = "prometheus", role = "metrics" })).JsonAsync())["secret"]!;
        Assert.Equal(HttpStatusCode.NotFound, (await app.WithKey(key).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.WithKey(key).GetAsync("/readyz")).StatusCode);
    }
}

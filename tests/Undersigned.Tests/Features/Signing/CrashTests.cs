using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Features.Signing;

public sealed class CrashTests
{
    /// <summary>Every signer's address stored for the letter, read through the staff API page by page.</summary>
    static async Task<HashSet<string>> StoredEmailsAsync(ServiceProcess service, JsonObject letter)
    {
        var stored = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await (await service.Client().GetAsync($"/api/letters/{letter["id"]}/signatures?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}")).JsonAsync();
            foreach (var signature in page["items"]!.AsArray()) stored.Add((string)signature!["email"]!);
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        return stored;
    }

    [Fact]
    public async Task Every_signature_answered_202_survives_SIGKILL_mid_load_and_its_email_is_still_sent()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-crash-").FullName;
        await using var smtp = SmtpServer.Reserve(); // down during the load: every email waits in the outbox
        var accepted = new ConcurrentBag<string>();
        var loaded = new TaskCompletionSource();
        JsonObject letter;
        // One test client plays many signers: lift the per-address limits for this test only.
        var settings = new Dictionary<string, string?>(smtp.Settings)
        {
            ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000",
            ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
        };

        await using (var service = await ServiceProcess.StartAsync(directory, settings))
        {
            var admin = service.Client();
            var created = await (await admin.PostAsJsonAsync("/api/letters", new
            {
                title = "Crash test", body = "b", target = "t", closesAt = DateTimeOffset.UtcNow.AddDays(1),
            })).JsonAsync();
            letter = await (await admin.PostAsync($"/api/letters/{created["id"]}/publish", null)).JsonAsync();

            using var stop = new CancellationTokenSource();
            var signers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                using var client = service.Client(key: null);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var email = $"w{worker}-{i}@example.org";
                    try
                    {
                        var response = await client.SignAsync(letter, Signer.Individual(email));
                        if (response.StatusCode != HttpStatusCode.Accepted) continue;
                        accepted.Add(email);
                        if (accepted.Count >= 300) loaded.TrySetResult();
                    }
                    catch (HttpRequestException) { return; } // the service is gone
                }
            })).ToList();

            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(60)); // let the load build, then pull the plug mid-flight
            await service.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(signers);
        }

        await using (var connection = await TestDatabase.OpenAsync(directory))
        {
            // PostgreSQL's own crash recovery is not under test (it was not killed); SQLite's file must check out whole.
            if (!TestDatabase.Postgres) Assert.Equal("ok", await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
            // Nothing half-written: every stored signature is whole, with its outbox row beside it.
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM signatures s
                WHERE s.email_encrypted IS NULL OR s.email_hmac IS NULL OR s.verify_issued_at IS NULL
                   OR NOT EXISTS (SELECT 1 FROM outbox o WHERE o.signature_id = s.id)
                """));
            var counted = await connection.ExecuteScalarAsync<long>("SELECT CAST(coalesce(sum(count), 0) AS BIGINT) FROM signature_counts WHERE status = 'pending'");
            Assert.Equal(await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures"), counted);
        }
        SqliteConnection.ClearAllPools();

        await smtp.StartListeningAsync();
        await using var restarted = await ServiceProcess.StartAsync(directory, settings);
        var stored = await StoredEmailsAsync(restarted, letter);

        Assert.Subset(stored, accepted.ToHashSet());
        await smtp.WaitForCountAsync(stored.Count);
        Assert.Subset(smtp.Messages().Select(m => m.To.Mailboxes.Single().Address).ToHashSet(), accepted.ToHashSet());
    }

    [Fact]
    public async Task A_SIGTERM_mid_burst_answers_every_request_202_or_503_and_stores_every_202()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-stop-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000", ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
        };
        var accepted = new ConcurrentBag<string>();
        var answers = new ConcurrentBag<HttpStatusCode>();
        var loaded = new TaskCompletionSource();
        JsonObject letter;
        await using (var service = await ServiceProcess.StartAsync(directory, settings))
        {
            var admin = service.Client();
            var created = await (await admin.PostAsJsonAsync("/api/letters", new
            {
                title = "Rolling deploy", body = "b", target = "t", closesAt = DateTimeOffset.UtcNow.AddDays(1),
            })).JsonAsync();
            letter = await (await admin.PostAsync($"/api/letters/{created["id"]}/publish", null)).JsonAsync();
            var signers = Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                using var client = service.Client(key: null);
                for (var i = 0; ; i++)
                {
                    var email = $"w{worker}-{i}@example.org";
                    try
                    {
                        var response = await client.SignAsync(letter, Signer.Individual(email));
                        answers.Add(response.StatusCode);
                        if (response.StatusCode == HttpStatusCode.Accepted) accepted.Add(email);
                        else Assert.NotNull(response.Headers.RetryAfter);
                        if (accepted.Count >= 300) loaded.TrySetResult();
                    }
                    catch (HttpRequestException) { return; } // the listener is gone: nothing was sent, nothing to answer
                }
            })).ToList();
            await loaded.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await service.StopAsync(); // SIGTERM, as a rolling deploy sends, mid-burst
            await Task.WhenAll(signers);
            Assert.Equal(0, service.ExitCode);
        }
        Assert.All(answers, status => Assert.Contains(status, new[] { HttpStatusCode.Accepted, HttpStatusCode.ServiceUnavailable }));

        SqliteConnection.ClearAllPools();
        await using var restarted = await ServiceProcess.StartAsync(directory, settings);
        var stored = await StoredEmailsAsync(restarted, letter);
        Assert.Subset(stored, accepted.ToHashSet());
    }

#if POSTGRES // a database that stops answering: a PostgreSQL restart or failover (SQLite is a file the process holds open)
    [Fact]
    public async Task A_database_out_of_reach_answers_503_with_Retry_After_and_the_writer_carries_on_once_it_is_back()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        await using var app = new TestApp(directory);
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, Signer.Individual("before@example.org"))).StatusCode);

        // Every connection the service has is cut, as a restart or failover does.
        await TestDatabase.DisconnectServiceAsync(directory);
        var refused = await app.Anonymous().SignAsync(letter, Signer.Individual("during@example.org"));
        await refused.ProblemAsync(503);
        Assert.NotNull(refused.Headers.RetryAfter);

        // Back: the next signatures are taken. A pooled connection that was cut may answer 503 again, and then the writer
        // backs off (on the test's clock, moved on here), answering 503 at once meanwhile rather than holding requests.
        HttpResponseMessage taken;
        for (var attempt = 1; (taken = await app.Anonymous().SignAsync(letter, Signer.Individual($"after{attempt}@example.org"))).StatusCode
                              != HttpStatusCode.Accepted && attempt < 10; attempt++)
        {
            await taken.ProblemAsync(503);
            app.Clock.Advance(TimeSpan.FromSeconds(5));
        }
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        await app.WaitForLogAsync(line => line.StartsWith("Error") && line.Contains("The writer loop failed"));
        await app.WaitForLogAsync(line => line.Contains("The writer loop works again"));
        Assert.Single(app.Logs, line => line.Contains("The writer loop failed"));
        await using var connection = await app.OpenDatabaseAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures"));
    }
#endif
}

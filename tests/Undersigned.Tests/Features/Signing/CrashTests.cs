using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Features.Signing;

public sealed class CrashTests
{
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
        var stored = new HashSet<string>();
        string? cursor = null;
        do
        {
            var page = await (await restarted.Client().GetAsync($"/api/letters/{letter["id"]}/signatures?limit=100{(cursor is null ? "" : $"&cursor={cursor}")}")).JsonAsync();
            foreach (var signature in page["items"]!.AsArray()) stored.Add((string)signature!["email"]!);
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);

        Assert.Subset(stored, accepted.ToHashSet());
        await smtp.WaitForCountAsync(stored.Count);
        Assert.Subset(smtp.Messages().Select(m => m.To.Mailboxes.Single().Address).ToHashSet(), accepted.ToHashSet());
    }
}

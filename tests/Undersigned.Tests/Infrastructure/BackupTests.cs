#if !POSTGRES // the backup command copies a SQLite database; PostgreSQL's is pg_dump
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Infrastructure;

public sealed class BackupTests
{
    [Fact]
    public async Task An_online_backup_taken_under_load_is_whole_and_a_restore_forgets_who_withdrew_since()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-backup-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000", ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
        };
        var backup = Path.Combine(Directory.CreateTempSubdirectory("undersigned-copy-").FullName, "copy.db");
        JsonObject letter, early;
        long before, after;
        await using (var service = await ServiceProcess.StartAsync(directory, settings))
        {
            var admin = service.Client();
            var created = await (await admin.PostAsJsonAsync("/api/letters", new { title = "Backed up", body = "b", target = "t", closesAt = DateTimeOffset.UtcNow.AddDays(5) })).JsonAsync();
            letter = await (await admin.PostAsync($"/api/letters/{created["id"]}/publish", null)).JsonAsync();
            early = await (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures", new { kind = "individual", name = "Will Withdraw", showName = true })).JsonAsync();
            // Enough rows that the copy takes a while: signatures keep committing while it runs.
            await using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "undersigned.db")}"))
                await connection.ExecuteAsync($"""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60000)
                    INSERT INTO signatures (letter_id, kind, status, name, show_name, text_version, signed_at, confirmed_at, method)
                    SELECT {letter["id"]}, 'individual', 'confirmed', 'Preloaded ' || i || ' ' || hex(randomblob(40)), 1, 1, 0, 0, 'paper' FROM n
                    """);
            using var stop = new CancellationTokenSource();
            var accepted = new ConcurrentBag<string>();
            var signers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                using var client = service.Client(key: null);
                for (var i = 0; !stop.IsCancellationRequested; i++)
                    if ((await client.SignAsync(letter, Signer.Individual($"b{worker}-{i}@example.org"))).StatusCode == HttpStatusCode.Accepted)
                        accepted.Add($"b{worker}-{i}");
            })).ToList();
            while (accepted.Count < 50) await Task.Yield();

            before = await CountAsync(directory);
            var (exitCode, errors) = await ServiceProcess.RunToExitAsync(directory, settings, "backup", backup);
            after = await CountAsync(directory);
            await stop.CancelAsync();
            await Task.WhenAll(signers);
            Assert.True(exitCode == 0, string.Join("\n", errors));
            Assert.True(after - before >= 100, $"only {after - before} signatures committed during the copy");

            // After the backup: a signer withdraws (here, staff erase them).
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/letters/{letter["id"]}/signatures/{early["id"]}")).StatusCode);
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        await using (var copy = new SqliteConnection($"Data Source={backup};Mode=ReadOnly;Pooling=False"))
        {
            Assert.Equal("ok", await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check"));
            Assert.True(await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures") >= before);
            Assert.Equal("Will Withdraw", await copy.ExecuteScalarAsync<string>("SELECT name FROM signatures WHERE id = @id", new { id = (long)early["id"]! }));
        }

        // Restore: the copy, the data key (kept apart) and the erasure record beside the database.
        var restored = Directory.CreateTempSubdirectory("undersigned-restored-").FullName;
        File.Copy(backup, Path.Combine(restored, "undersigned.db"));
        File.Copy(Path.Combine(directory, "data-key"), Path.Combine(restored, "data-key"));
        File.Copy(Path.Combine(directory, "undersigned.db.erasures"), Path.Combine(restored, "undersigned.db.erasures"));
        SqliteConnection.ClearAllPools();
        await using var again = await ServiceProcess.StartAsync(restored, settings);
        Assert.Equal(HttpStatusCode.OK, (await again.Client().GetAsync("/readyz")).StatusCode);
        var withdrawn = (await (await again.Client().GetAsync($"/api/letters/{letter["id"]}/signatures?status=withdrawn")).JsonAsync())["items"]!.AsArray();
        Assert.Null(Assert.Single(withdrawn, s => (long)s!["id"]! == (long)early["id"]!)!["name"]);
    }

    static async Task<long> CountAsync(string directory)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "undersigned.db")};Mode=ReadOnly");
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures");
    }
}
#endif

using System.Data.Common;
using System.Security.Cryptography;
using Dapper;

namespace Undersigned.Infrastructure;

/// <summary>
/// Applies the engine's <c>migrations/{sqlite|postgres}/NNNN_name.sql</c> in order (the two sets are numbered alike),
/// each in its own transaction, recording its name and SHA-256. An applied file that has since changed stops start-up:
/// the database would no longer match the code. On PostgreSQL, instances starting together take turns.
/// </summary>
public sealed class Migrator(Db db, Settings settings, TimeProvider clock, ILogger<Migrator> log)
{
    // Any constant both sides agree on: the key of the advisory lock instances migrate under.
    const long MigrationLock = 0x756e646572_01;

    public async Task ApplyAsync(CancellationToken ct = default)
    {
        var directory = Path.Combine(settings.MigrationsDirectory, db.Engine == Engine.Postgres ? "postgres" : "sqlite");
        var files = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.sql").Order(StringComparer.Ordinal).ToArray()
            : throw new StartupException($"Migrations folder '{directory}' does not exist (Undersigned__MigrationsDirectory).");

        await using var connection = await OpenWaitingAsync(ct);
        // SQLite changes a constraint by rebuilding the table, which its own procedure does with foreign keys off
        // (they can only be switched outside a transaction); each migration is checked for broken references instead.
        if (db.Engine == Engine.Sqlite) await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF");
        else await connection.ExecuteAsync("SELECT pg_advisory_lock(@MigrationLock)", new { MigrationLock });
        try
        {
            await ApplyAsync(connection, files, ct);
        }
        finally
        {
            if (db.Engine == Engine.Postgres) await connection.ExecuteAsync("SELECT pg_advisory_unlock(@MigrationLock)", new { MigrationLock });
            else await connection.ExecuteAsync("PRAGMA foreign_keys = ON");
        }
    }

    /// <summary>
    /// The database may start after the service (compose, systemd): a connection is tried for
    /// <c>Undersigned__StartupDatabaseWaitSeconds</c> before start-up gives up, saying so in one line.
    /// </summary>
    async Task<DbConnection> OpenWaitingAsync(CancellationToken ct)
    {
        var giveUpAt = DateTimeOffset.UtcNow.AddSeconds(settings.StartupDatabaseWaitSeconds);
        for (var logged = false; ; )
        {
            try
            {
                return await db.OpenAsync(ct);
            }
            catch (Exception e) when (Transient.Is(e) && DateTimeOffset.UtcNow < giveUpAt)
            {
                if (!logged) log.LogWarning("The database does not answer yet ({Error}); waiting up to {Seconds} s", e.GetType().Name, settings.StartupDatabaseWaitSeconds);
                logged = true;
                await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, ct); // real time: the injected clock may be a test's
            }
            catch (Exception e) when (Transient.Is(e))
            {
                throw new StartupException($"The database (ConnectionStrings__Undersigned) did not answer within {settings.StartupDatabaseWaitSeconds} s " +
                                           $"(Undersigned__StartupDatabaseWaitSeconds): {e.GetType().Name}.");
            }
        }
    }

    /// <summary>The newest migration this version ships: the schema version it expects.</summary>
    public string SchemaVersion => Path.GetFileNameWithoutExtension(Files().LastOrDefault() ?? "");

    string[] Files()
    {
        var directory = Path.Combine(settings.MigrationsDirectory, db.Engine == Engine.Postgres ? "postgres" : "sqlite");
        return Directory.Exists(directory) ? Directory.GetFiles(directory, "*.sql").Order(StringComparer.Ordinal).ToArray() : [];
    }

    /// <summary>Migrations the database has that this version does not ship: another instance, newer, upgraded it.</summary>
    public async Task<List<string>> UnknownAppliedAsync(CancellationToken ct)
    {
        var known = Files().Select(Path.GetFileName).ToHashSet();
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<string>("SELECT name FROM schema_migrations")).Where(name => !known.Contains(name)).Order().ToList();
    }

    async Task ApplyAsync(DbConnection connection, string[] files, CancellationToken ct)
    {
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at BIGINT NOT NULL)
            """);
        var applied = (await connection.QueryAsync<(string Name, string Sha256)>("SELECT name, sha256 FROM schema_migrations"))
            .ToDictionary(m => m.Name, m => m.Sha256);
        var known = files.Select(Path.GetFileName).ToHashSet();
        if (applied.Keys.Where(name => !known.Contains(name)).Order().ToList() is [var newer, ..])
            throw new StartupException($"The database has migration {newer}, which this version does not know: a newer version upgraded it. " +
                                       "Run that version, or restore a backup taken before the upgrade.");

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var script = await File.ReadAllBytesAsync(file, ct);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(script));
            if (applied.TryGetValue(name, out var recorded))
            {
                if (recorded != sha256)
                    throw new StartupException(
                        $"Migration {name} has changed since it was applied (applied sha256 {recorded}, file now {sha256}). " +
                        "Restore the applied file and put the change in a new numbered migration.");
                continue;
            }

            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(System.Text.Encoding.UTF8.GetString(script), transaction: tx);
            if (db.Engine == Engine.Sqlite && (await connection.QueryAsync("PRAGMA foreign_key_check", transaction: tx)).Any())
                throw new InvalidOperationException($"Migration {name} would leave rows that refer to rows that do not exist; nothing was applied.");
            await connection.ExecuteAsync("INSERT INTO schema_migrations (name, sha256, applied_at) VALUES (@name, @sha256, @now)",
                new { name, sha256, now = clock.GetUtcNow() }, tx);
            await tx.CommitAsync(ct);
            log.LogInformation("Applied migration {Migration}", name);
        }
    }
}

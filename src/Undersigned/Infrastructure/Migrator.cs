using System.Security.Cryptography;
using Dapper;

namespace Undersigned.Infrastructure;

/// <summary>
/// Applies <c>migrations/NNNN_name.sql</c> in order, each in its own transaction, recording its name and SHA-256.
/// An applied file that has since changed stops start-up: the database would no longer match the code.
/// </summary>
public sealed class Migrator(Db db, Settings settings, TimeProvider clock, ILogger<Migrator> log)
{
    public async Task ApplyAsync(CancellationToken ct = default)
    {
        var files = Directory.Exists(settings.MigrationsDirectory)
            ? Directory.GetFiles(settings.MigrationsDirectory, "*.sql").Order(StringComparer.Ordinal).ToArray()
            : throw new InvalidOperationException($"Migrations folder '{settings.MigrationsDirectory}' does not exist.");

        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("""
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL);
            """);
        var applied = (await connection.QueryAsync<(string Name, string Sha256)>("SELECT name, sha256 FROM schema_migrations"))
            .ToDictionary(m => m.Name, m => m.Sha256);

        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var script = await File.ReadAllBytesAsync(file, ct);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(script));
            if (applied.TryGetValue(name, out var recorded))
            {
                if (recorded != sha256)
                    throw new InvalidOperationException(
                        $"Migration {name} has changed since it was applied (applied sha256 {recorded}, file now {sha256}). " +
                        "Restore the applied file and put the change in a new numbered migration.");
                continue;
            }

            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(System.Text.Encoding.UTF8.GetString(script), transaction: tx);
            await connection.ExecuteAsync("INSERT INTO schema_migrations (name, sha256, applied_at) VALUES (@name, @sha256, @now)",
                new { name, sha256, now = clock.GetUtcNow() }, tx);
            await tx.CommitAsync(ct);
            log.LogInformation("Applied migration {Migration}", name);
        }
    }
}

using Dapper;

namespace Undersigned.Infrastructure;

/// <summary>
/// Makes sure someone can administer the service after every start: the configured admin key exists,
/// or, with none configured and no admin key stored, a new one is written to the data folder.
/// </summary>
public sealed class AdminKeyBootstrap(Db db, Settings settings, TimeProvider clock, ILogger<AdminKeyBootstrap> log)
{
    public const int MinimumConfiguredLength = 16;

    public async Task EnsureAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var now = clock.GetUtcNow();

        if (!string.IsNullOrWhiteSpace(settings.AdminKey))
        {
            if (settings.AdminKey.Trim().Length < MinimumConfiguredLength)
                throw new InvalidOperationException($"Undersigned__AdminKey must be at least {MinimumConfiguredLength} characters long.");
            var key = settings.AdminKey.Trim();
            await connection.ExecuteAsync("""
                INSERT INTO api_keys (name, role, key_hash, hint, created_at) VALUES ('configured admin key', 'admin', @hash, @hint, @now)
                ON CONFLICT (key_hash) DO UPDATE SET role = 'admin', revoked_at = NULL
                """, new { hash = ApiKey.Hash(key), hint = ApiKey.Hint(key), now });
            log.LogInformation("The admin key from Undersigned__AdminKey is active.");
            return;
        }

        if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL)"))
            return;

        var generated = ApiKey.Generate();
        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, "admin-key"));
        SecretFile.Write(path, generated);
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (name, role, key_hash, hint, created_at) VALUES ('first admin key', 'admin', @hash, @hint, @now)",
            new { hash = ApiKey.Hash(generated), hint = ApiKey.Hint(generated), now });
        log.LogWarning("No admin key existed, so one was generated and written to {AdminKeyFile} (readable by this user only).", path);
    }
}

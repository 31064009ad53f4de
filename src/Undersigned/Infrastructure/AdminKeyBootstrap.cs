namespace Undersigned.Infrastructure;

/// <summary>
/// Makes sure someone can administer the service after every start: the configured admin key exists,
/// or, with none configured and no admin key stored, a new one is written to the data folder.
/// </summary>
public sealed class AdminKeyBootstrap(ApiKeysStore keys, Settings settings, TimeProvider clock, ILogger<AdminKeyBootstrap> log)
{
    public const int MinimumConfiguredLength = 16;

    public async Task EnsureAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();

        if (!string.IsNullOrWhiteSpace(settings.AdminKey))
        {
            if (settings.AdminKey.Trim().Length < MinimumConfiguredLength)
                throw new InvalidOperationException($"Undersigned__AdminKey must be at least {MinimumConfiguredLength} characters long.");
            var key = settings.AdminKey.Trim();
            await keys.EnsureAdminAsync(key, now, ct);
            log.LogInformation("The admin key from Undersigned__AdminKey is active.");
            return;
        }

        if (await keys.AnyActiveAdminAsync(ct)) return;

        var generated = ApiKey.Generate();
        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, "admin-key"));
        SecretFile.Write(path, generated);
        await keys.CreateAsync("first admin key", Role.Admin, generated, createdBy: null, now, ct);
        log.LogWarning("No admin key existed, so one was generated and written to {AdminKeyFile} (readable by this user only).", path);
    }
}

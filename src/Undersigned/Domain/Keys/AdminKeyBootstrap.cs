using Undersigned.Infrastructure;

namespace Undersigned.Domain.Keys;

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
                throw new StartupException($"Undersigned__AdminKey must be at least {MinimumConfiguredLength} characters long.");
            var key = settings.AdminKey.Trim();
            if (await keys.EnsureConfiguredAdminAsync(key, now, ct) == ApiKeysStore.Configured.Active)
                log.LogInformation("The admin key from Undersigned__AdminKey is active.");
            else
                log.LogWarning("The admin key in Undersigned__AdminKey was revoked and stays revoked: set a new value to get a working admin key.");
            return;
        }

        if (await keys.AnyActiveAdminAsync(ct)) return;

        var generated = ApiKey.Generate();
        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, "admin-key"));
        SecretFile.Write(path, generated);
        await keys.CreateAsync("first admin key", Role.Admin, partnerId: null, generated, createdBy: null, now, ct);
        log.LogWarning("No admin key existed, so one was generated and written to {AdminKeyFile} (readable by this user only).", path);
    }
}

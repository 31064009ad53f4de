using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Service;

/// <summary>
/// What every instance shares about the service itself: when scheduled work last ran, and which service key this
/// database's letter keys are wrapped with. The only place that reads and writes <c>scheduled_runs</c> and <c>service_key</c>.
/// </summary>
public sealed class ServiceStateStore(Db db)
{
    /// <summary>
    /// Claims this interval's run of the named work: true for one instance an interval, false for the others (and for
    /// this one, should its timer fire early). A clock that went back (a restore) runs it at once.
    /// </summary>
    public async Task<bool> TryStartRunAsync(string name, DateTimeOffset now, TimeSpan interval, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync("""
            INSERT INTO scheduled_runs (name, ran_at) VALUES (@name, @now)
            ON CONFLICT (name) DO UPDATE SET ran_at = @now WHERE scheduled_runs.ran_at <= @due OR scheduled_runs.ran_at > @now
            """, new { name, now, due = now - interval / 2 }) == 1;
    }

    /// <summary>When the named work last ran on any instance; null when it never has.</summary>
    public async Task<DateTimeOffset?> LastRunAsync(string name, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT ran_at FROM scheduled_runs WHERE name = @name", new { name });
    }

    /// <summary>
    /// Records the service key's fingerprint the first time; a different key later stops start-up, since it could read
    /// none of the letters' keys (each instance with a key of its own could not read the others' signers).
    /// </summary>
    public async Task CheckServiceKeyAsync(string fingerprint, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("INSERT INTO service_key (id, fingerprint) VALUES (1, @fingerprint) ON CONFLICT (id) DO NOTHING", new { fingerprint });
        var recorded = await connection.ExecuteScalarAsync<string>("SELECT fingerprint FROM service_key WHERE id = 1");
        if (recorded != fingerprint)
            throw new StartupException(
                $"The service key (Undersigned__DataKey, or data/data-key) is not the one this database's data is encrypted with " +
                $"(fingerprint {fingerprint}, database expects {recorded}). Start with the key the database was created with.");
    }
}

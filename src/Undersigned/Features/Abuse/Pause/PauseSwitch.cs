using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Abuse.Pause;

public sealed class PauseState
{
    public string Reason { get; init; } = "";
    public bool Extend { get; init; }
    public DateTimeOffset PausedAt { get; init; }
    public long PausedBy { get; init; }
}

/// <summary>Whether signing is paused. Kept in the database (it survives restarts) and read from memory on the signing path.</summary>
public sealed class PauseSwitch(Db db)
{
    PauseState? current;
    bool loaded;

    public async Task<PauseState?> CurrentAsync(CancellationToken ct)
    {
        if (loaded) return current;
        await using var connection = await db.OpenAsync(ct);
        current = await connection.QuerySingleOrDefaultAsync<PauseState>(
            "SELECT reason, extend, paused_at, paused_by FROM service_pause WHERE id = 1");
        loaded = true;
        return current;
    }

    public void Set(PauseState? state)
    {
        current = state;
        loaded = true;
    }
}

using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Pause;

public sealed class PauseState
{
    public string Reason { get; init; } = "";
    public bool Extend { get; init; }
    public DateTimeOffset PausedAt { get; init; }
    public long PausedBy { get; init; }
}

/// <summary>
/// Whether signing is paused. Kept in the database (it survives restarts) and read from memory on the signing path.
/// The only place that reads and writes <c>service_pause</c>.
/// </summary>
public sealed class PauseSwitch(Db db, ChangeNotices notices)
{
    PauseState? current;
    bool loaded;

    public async Task<PauseState?> CurrentAsync(CancellationToken ct)
    {
        if (loaded) return current;
        await using var connection = await db.OpenReadAsync(ct);
        current = await connection.QuerySingleOrDefaultAsync<PauseState>(Select);
        loaded = true;
        return current;
    }

    /// <summary>Pauses signing; false when it already was.</summary>
    public async Task<bool> PauseAsync(WriteTransaction tx, PauseState state)
    {
        if (await tx.ExecuteAsync("""
                INSERT INTO service_pause (id, reason, extend, paused_at, paused_by) VALUES (1, @Reason, @Extend, @PausedAt, @PausedBy)
                ON CONFLICT DO NOTHING
                """, state) == 0) return false;
        tx.AfterCommit(() => Set(state));
        await notices.AnnounceAsync(tx, ChangeNotices.Pause);
        return true;
    }

    /// <summary>Resumes signing; the pause that ended, or null when signing was not paused.</summary>
    public async Task<PauseState?> ResumeAsync(WriteTransaction tx)
    {
        var state = await tx.SingleOrDefaultAsync<PauseState>(Select);
        if (state is null) return null;
        await tx.ExecuteAsync("DELETE FROM service_pause WHERE id = 1");
        tx.AfterCommit(() => Set(null));
        await notices.AnnounceAsync(tx, ChangeNotices.Pause);
        return state;
    }

    const string Select = "SELECT reason, extend, paused_at, paused_by FROM service_pause WHERE id = 1";

    /// <summary>Another instance paused or resumed: read the switch again when next asked.</summary>
    public void Forget() => loaded = false;

    void Set(PauseState? state)
    {
        current = state;
        loaded = true;
    }
}

using Npgsql;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Pause;
using Undersigned.Infrastructure;

namespace Undersigned.Services;

/// <summary>
/// On PostgreSQL, hears what other instances changed (<see cref="ChangeNotices"/>) and drops what this one holds in
/// memory about it, within moments of their commit. After losing the connection it forgets everything, since it may
/// have missed something, and listens again. On SQLite it has nothing to do.
/// </summary>
public sealed class ChangeListener(Db db, LettersStore letters, LetterKeys letterKeys, PauseSwitch pause, Loops loops, TimeProvider clock,
    ILogger<ChangeListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Engine != Engine.Postgres) return;
        for (var failures = 0; !stoppingToken.IsCancellationRequested;)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await db.OpenReadAsync(stoppingToken);
                connection.Notification += (_, e) => Apply(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChangeNotices.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                ForgetEverything(); // anything said before LISTEN took hold is unheard
                failures = 0;
                loops.Succeeded(Loops.ChangeFeed);
                // Wakes at least hourly, so the loop's last success shows it still listens.
                while (true)
                    if (!await connection.WaitAsync(Loops.MaxWait, stoppingToken)) loops.Succeeded(Loops.ChangeFeed);
            }
            catch (Exception e) when (Transient.Is(e))
            {
                log.LogWarning("Lost the change feed ({Error}); listening again shortly", e.GetType().Name);
                loops.Failed(Loops.ChangeFeed, e);
                ForgetEverything();
                await Task.Delay(Loops.Backoff(++failures, TimeSpan.FromSeconds(30)), clock, stoppingToken);
            }
        }
    }

    void Apply(string change)
    {
        if (change == ChangeNotices.Letters) letters.ForgetCached();
        else if (change == ChangeNotices.Pause) pause.Forget();
        else if (change.StartsWith(ChangeNotices.LetterKeyPrefix) && long.TryParse(change[ChangeNotices.LetterKeyPrefix.Length..], out var id))
            letterKeys.Forget(id);
    }

    void ForgetEverything()
    {
        letters.ForgetCached();
        pause.Forget();
        letterKeys.ForgetAll();
    }
}

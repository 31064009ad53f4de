using Npgsql;

namespace Undersigned.Services;

/// <summary>
/// On PostgreSQL, hears what other instances changed (<see cref="ChangeNotices"/>) and drops what this one holds in
/// memory about it, within moments of their commit. After losing the connection it forgets everything, since it may
/// have missed something, and listens again. On SQLite it has nothing to do.
/// </summary>
public sealed class ChangeListener(Db db, LettersStore letters, LetterKeys letterKeys, PauseSwitch pause, TimeProvider clock,
    ILogger<ChangeListener> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Engine != Engine.Postgres) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await db.OpenReadAsync(stoppingToken);
                connection.Notification += (_, e) => Apply(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ChangeNotices.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                ForgetEverything(); // anything said before LISTEN took hold is unheard
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Lost the change feed ({Error}); listening again shortly", e.GetType().Name);
                ForgetEverything();
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
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

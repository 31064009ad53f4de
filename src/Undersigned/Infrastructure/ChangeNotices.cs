namespace Undersigned.Infrastructure;

/// <summary>
/// What other instances must hear when this one changes shared state they keep in memory: a letter (their cache of
/// published letters), the pause switch, a destroyed letter key. On PostgreSQL a NOTIFY inside the change's own
/// transaction, so it is heard exactly when the change commits; on SQLite there is one instance, and nothing to tell.
/// </summary>
public sealed class ChangeNotices(Db db)
{
    public const string Channel = "undersigned_changes";
    public const string Letters = "letters", Pause = "pause", LetterKeyPrefix = "letter-key:";

    public Task AnnounceAsync(WriteTransaction tx, string change)
        => db.Engine == Engine.Postgres ? tx.ExecuteAsync("SELECT pg_notify(@Channel, @change)", new { Channel, change }) : Task.CompletedTask;
}

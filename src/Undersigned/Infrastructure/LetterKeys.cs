using System.Collections.Concurrent;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>
/// Each letter's data key encrypts its signers' emails and its outbox. Destroying the wrapped key (at purge)
/// makes all of them unreadable at once. Unwrapped keys are cached: the signing path needs one per request.
/// </summary>
public sealed class LetterKeys(ServiceKeys serviceKeys)
{
    readonly ConcurrentDictionary<long, byte[]> cache = new();

    public Task CreateAsync(SqliteConnection connection, SqliteTransaction tx, long letterId, DateTimeOffset now)
        => connection.ExecuteAsync("INSERT OR IGNORE INTO letter_keys (letter_id, wrapped_key, created_at) VALUES (@letterId, @wrapped, @now)",
            new { letterId, wrapped = serviceKeys.NewWrappedLetterKey(), now }, tx);

    /// <summary>The letter's key, or null once it has been destroyed.</summary>
    public async Task<byte[]?> GetAsync(SqliteConnection connection, long letterId, SqliteTransaction? tx = null)
    {
        if (cache.TryGetValue(letterId, out var key)) return key;
        var wrapped = await connection.QuerySingleOrDefaultAsync<byte[]>(
            "SELECT wrapped_key FROM letter_keys WHERE letter_id = @letterId", new { letterId }, tx);
        return wrapped is null ? null : cache[letterId] = serviceKeys.UnwrapLetterKey(wrapped);
    }

    public void Forget(long letterId) => cache.TryRemove(letterId, out _);
}

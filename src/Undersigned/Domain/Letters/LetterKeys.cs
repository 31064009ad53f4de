using System.Collections.Concurrent;
using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>
/// Each letter's data key encrypts its signers' emails and its outbox. Destroying the wrapped key (at purge)
/// makes all of them unreadable at once. Unwrapped keys are cached: the signing path needs one per request.
/// The only place that reads and writes <c>letter_keys</c>.
/// </summary>
public sealed class LetterKeys(Db db, ServiceKeys serviceKeys, ChangeNotices notices)
{
    readonly ConcurrentDictionary<long, byte[]> cache = new();

    public Task CreateAsync(WriteTransaction tx, long letterId, DateTimeOffset now)
        => tx.ExecuteAsync("INSERT INTO letter_keys (letter_id, wrapped_key, created_at) VALUES (@letterId, @wrapped, @now) ON CONFLICT (letter_id) DO NOTHING",
            new { letterId, wrapped = serviceKeys.NewWrappedLetterKey(), now });

    /// <summary>The letter's key, or null once it has been destroyed.</summary>
    public async Task<byte[]?> GetAsync(long letterId, CancellationToken ct = default)
    {
        if (cache.TryGetValue(letterId, out var key)) return key;
        await using var connection = await db.OpenReadAsync(ct);
        return Unwrap(letterId, await connection.QuerySingleOrDefaultAsync<byte[]>(SelectSql, new { letterId }));
    }

    public async Task<byte[]?> GetAsync(WriteTransaction tx, long letterId)
        => cache.TryGetValue(letterId, out var key) ? key : Unwrap(letterId, await tx.SingleOrDefaultAsync<byte[]>(SelectSql, new { letterId }));

    /// <summary>Destroys the letter's key: everything encrypted under it becomes unreadable for good.</summary>
    public async Task DestroyAsync(WriteTransaction tx, long letterId)
    {
        await tx.ExecuteAsync("DELETE FROM letter_keys WHERE letter_id = @letterId", new { letterId });
        tx.AfterCommit(() => Forget(letterId));
        await notices.AnnounceAsync(tx, ChangeNotices.LetterKeyPrefix + letterId);
    }

    /// <summary>Drops the unwrapped key from memory (destroyed here, or by another instance).</summary>
    public void Forget(long letterId) => cache.TryRemove(letterId, out _);

    /// <summary>After a gap in what other instances said: read every key afresh.</summary>
    public void ForgetAll() => cache.Clear();

    const string SelectSql = "SELECT wrapped_key FROM letter_keys WHERE letter_id = @letterId";

    byte[]? Unwrap(long letterId, byte[]? wrapped) => wrapped is null ? null : cache[letterId] = serviceKeys.UnwrapLetterKey(wrapped);
}

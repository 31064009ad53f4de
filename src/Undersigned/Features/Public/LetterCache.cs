using System.Collections.Concurrent;
using Undersigned.Features.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public;

/// <summary>A published letter as the public paths need it, with its body already rendered and sanitised.</summary>
public sealed record PublishedLetter(LetterRow Row, string BodyHtml);

/// <summary>
/// Published letters by slug, kept in memory: every signature and public read needs one, and letters change rarely.
/// Every endpoint that changes a letter calls <see cref="Forget"/> after its commit (one process owns the database).
/// </summary>
public sealed class LetterCache(Db db)
{
    readonly ConcurrentDictionary<string, PublishedLetter> letters = new();
    long generation;

    public async Task<PublishedLetter?> FindAsync(string slug, CancellationToken ct)
    {
        if (letters.TryGetValue(slug, out var cached)) return cached;
        var readIn = Interlocked.Read(ref generation);
        await using var connection = await db.OpenReadAsync(ct);
        var row = await PublicLetter.FindAsync(connection, slug);
        if (row is null) return null; // not cached: a draft may be published any moment
        var letter = new PublishedLetter(row, PublicLetter.RenderHtml(row.Body));
        // A read that raced a change must not put the old letter back after Forget.
        if (Interlocked.Read(ref generation) == readIn) letters[slug] = letter;
        return letter;
    }

    public void Forget()
    {
        Interlocked.Increment(ref generation);
        letters.Clear();
    }
}

using System.Collections.Concurrent;

namespace Undersigned.Domain.Letters;

/// <summary>A published letter as the public paths need it, with its body already rendered and sanitised.</summary>
public sealed record PublishedLetter(LetterRow Row, string BodyHtml);

/// <summary>
/// Published letters by slug, kept in memory: every signature and public read needs one, and letters change rarely.
/// Only <see cref="LettersStore"/> holds one, and it forgets after every committed change to a letter.
/// </summary>
sealed class LetterCache
{
    readonly ConcurrentDictionary<string, PublishedLetter> letters = new();
    long generation;

    public async Task<PublishedLetter?> GetAsync(string slug, Func<Task<LetterRow?>> load)
    {
        if (letters.TryGetValue(slug, out var cached)) return cached;
        var readIn = Interlocked.Read(ref generation);
        var row = await load();
        if (row is null) return null; // not cached: a draft may be published any moment
        var letter = new PublishedLetter(row, LetterHtml.Render(row.Body));
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

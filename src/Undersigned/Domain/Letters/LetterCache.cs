using System.Collections.Concurrent;

namespace Undersigned.Domain.Letters;

/// <summary>
/// A published letter as the public paths need it: its body already rendered and sanitised, and the partners attached
/// now by code (a detached partner's code is not here, so it no longer signs anyone up).
/// </summary>
public sealed record PublishedLetter(LetterRow Row, string BodyHtml, IReadOnlyDictionary<string, Partners.AttachedPartner> Partners,
    IReadOnlyList<PublishedOutcome> Outcomes)
{
    /// <summary>
    /// The sites that may embed and sign: none listed means any; otherwise the letter's and its partners' sites.
    /// </summary>
    public string[] Origins { get; } = Row.Origins.Length == 0 ? [] : [.. Row.Origins.Concat(Partners.Values.SelectMany(p => p.Origins)).Distinct()];
}

/// <summary>An outcome as the public sees it, its Markdown rendered and sanitised once.</summary>
public sealed record PublishedOutcome(Outcome Outcome, string BodyHtml);

/// <summary>
/// Published letters by slug, kept in memory: every signature and public read needs one, and letters change rarely.
/// Only <see cref="LettersStore"/> holds one, and it forgets after every committed change to a letter.
/// </summary>
sealed class LetterCache
{
    readonly ConcurrentDictionary<string, PublishedLetter> letters = new();
    long generation;

    public async Task<PublishedLetter?> GetAsync(string slug, Func<Task<(LetterRow Row, Partners.AttachedPartner[] Partners, Outcome[] Outcomes)?>> load)
    {
        if (letters.TryGetValue(slug, out var cached)) return cached;
        var readIn = Interlocked.Read(ref generation);
        if (await load() is not { } loaded) return null; // not cached: a draft may be published any moment
        var letter = new PublishedLetter(loaded.Row, LetterHtml.Render(loaded.Row.Body), loaded.Partners.ToDictionary(p => p.Code),
            loaded.Outcomes.Select(o => new PublishedOutcome(o, LetterHtml.Render(o.Body))).ToList());
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

using System.Collections.Concurrent;

namespace Undersigned.Services.Abuse;

/// <summary>
/// Counts signatures per client address (by keyed hash) in a sliding window, in memory only. Beyond the threshold a
/// signature still gets the usual 202, but is held for review: bots learn nothing, and a real signer loses nothing.
/// </summary>
public sealed class BurstDetector(RateLimitSettings limits, TimeProvider clock)
{
    readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> recent = new();

    public bool IsBurst(string addressKey)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromSeconds(limits.BurstHold.WindowSeconds);
        if (recent.Count >= MaxTracked) Evict(now - window);
        var times = recent.GetOrAdd(addressKey, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() > window) times.Dequeue();
            times.Enqueue(now);
            return times.Count > limits.BurstHold.PermitLimit;
        }
    }

    public const int MaxTracked = 100_000;

    /// <summary>Bounded memory: addresses quiet for the whole window go first, then those heard from longest ago.</summary>
    void Evict(DateTimeOffset windowStart)
    {
        var byLastHeard = recent.Select(e => (e.Key, Last: LastHeard(e.Value))).ToList();
        foreach (var (key, last) in byLastHeard.Where(e => e.Last < windowStart)) recent.TryRemove(key, out _);
        var excess = recent.Count - MaxTracked * 9 / 10;
        if (excess > 0)
            foreach (var (key, _) in byLastHeard.Where(e => e.Last >= windowStart).OrderBy(e => e.Last).Take(excess)) recent.TryRemove(key, out _);
    }

    static DateTimeOffset LastHeard(Queue<DateTimeOffset> times)
    {
        lock (times) return times.Count == 0 ? DateTimeOffset.MinValue : times.Last();
    }
}

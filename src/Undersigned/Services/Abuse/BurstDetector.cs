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
        if (recent.Count > 100_000) recent.Clear(); // bounded memory; losing counts only makes holding less eager
        var times = recent.GetOrAdd(addressKey, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            while (times.Count > 0 && now - times.Peek() > window) times.Dequeue();
            times.Enqueue(now);
            return times.Count > limits.BurstHold.PermitLimit;
        }
    }
}

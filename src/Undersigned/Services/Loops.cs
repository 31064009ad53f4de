using System.Collections.Concurrent;
using Undersigned.Infrastructure;

namespace Undersigned.Services;

/// <summary>
/// The rules every background loop keeps: waits are capped and looped (a .NET timer refuses waits past ~49.7 days, and
/// a deadline months away must not stop the host); a database, network or timeout error is retried with back-off and
/// logged at Error once per change of state; each loop records when it last succeeded.
/// </summary>
public sealed class Loops(TimeProvider clock, ILogger<Loops> log)
{
    /// <summary>The longest a loop sleeps before looking again, whatever it waits for.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    public const string Writer = "writer", Outbox = "outbox", Webhooks = "webhooks", Retention = "retention", ChangeFeed = "change-feed",
        DataRequests = "data-requests";

    /// <summary>Not a loop of its own: the mail relay as the outbox meets it, failing while it holds the queue.</summary>
    public const string Mail = "mail";

    /// <summary>One loop's health, read by readiness and the admin health view.</summary>
    public sealed class State(string name)
    {
        public string Name { get; } = name;
        public DateTimeOffset? LastSuccess { get; internal set; }
        /// <summary>Since when it has failed without a success, and with what (the exception's type: its message may quote data).</summary>
        public DateTimeOffset? FailingSince { get; internal set; }
        public string? LastError { get; internal set; }
        /// <summary>Items it stopped trying after <see cref="SetAside{TKey}.Limit"/> failures in a row.</summary>
        public int SetAside { get; internal set; }
    }

    readonly ConcurrentDictionary<string, State> states = new();

    public State this[string loop] => states.GetOrAdd(loop, name => new State(name));

    public IReadOnlyList<State> All => [.. states.Values.OrderBy(s => s.Name)];

    public void Succeeded(string loop)
    {
        var state = this[loop];
        state.LastSuccess = clock.GetUtcNow();
        if (state.FailingSince is null) return;
        lock (state)
        {
            if (state.FailingSince is not { } since) return;
            state.FailingSince = null;
            log.LogInformation("The {Loop} loop works again after failing since {Since:O}", loop, since);
        }
    }

    /// <summary>Records a failure; logged at Error only when the loop was working until now.</summary>
    public void Failed(string loop, Exception e) => Failed(loop, e.GetType().Name);

    /// <param name="error">What went wrong, with no personal data (an exception's type, a status code).</param>
    public void Failed(string loop, string error)
    {
        var state = this[loop];
        lock (state)
        {
            state.LastError = error;
            if (state.FailingSince is not null) return;
            state.FailingSince = clock.GetUtcNow();
        }
        log.LogError("The {Loop} loop failed ({Error}); it retries with back-off and logs again once it works", loop, error);
    }

    /// <summary>
    /// The senders' loop: does what is due (<paramref name="step"/> returns when the next thing is due, or null when
    /// nothing is), then sleeps until then or until <paramref name="woken"/>; a database out of reach is tried again with
    /// back-off (a minute at most). Items that keep failing are the step's to set aside, so one never stops the others.
    /// </summary>
    public async Task RunDueAsync(string loop, Func<CancellationToken, Task<DateTimeOffset?>> step, Func<CancellationToken, Task> woken, CancellationToken ct)
    {
        try
        {
            for (var failures = 0; !ct.IsCancellationRequested;)
            {
                DateTimeOffset? next;
                try
                {
                    next = await step(ct);
                    failures = 0;
                    Succeeded(loop);
                }
                catch (Exception e) when (Transient.Is(e))
                {
                    // The database may be busy, full or gone; the rows wait, nothing is lost.
                    Failed(loop, e);
                    next = clock.GetUtcNow() + Backoff(++failures, TimeSpan.FromMinutes(1));
                }
                await WaitAsync(clock, next, woken, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    /// <summary>2, 4, 8 … seconds, at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan max)
        => TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(failures, 1, 30)), max.TotalSeconds));

    /// <summary>
    /// Sleeps until <paramref name="next"/> (null: until woken), at most <see cref="MaxWait"/>, or until
    /// <paramref name="woken"/> completes. The caller loops and looks again, so no wait is ever too long for a timer.
    /// </summary>
    public static async Task WaitAsync(TimeProvider clock, DateTimeOffset? next, Func<CancellationToken, Task> woken, CancellationToken ct)
    {
        var remaining = next is { } due ? due - clock.GetUtcNow() : MaxWait;
        if (remaining <= TimeSpan.Zero) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(remaining < MaxWait ? remaining : MaxWait, clock, stop.Token);
        // The clock may have moved while the timer was being set: look again rather than wait past the due time.
        if (next is { } again && again <= clock.GetUtcNow())
        {
            await stop.CancelAsync();
            return;
        }
        await Task.WhenAny(woken(stop.Token), delay);
        await stop.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }
}

/// <summary>
/// A loop's items that keep failing: after <see cref="Limit"/> failures in a row an item is set aside (logged with its
/// id, counted in the loop's state) and not tried again by this instance, so one bad item cannot stall the rest.
/// </summary>
public sealed class SetAside<TKey>(Loops loops, string loop, string what, ILogger log) where TKey : notnull
{
    public const int Limit = 5;
    readonly ConcurrentDictionary<TKey, int> failures = new();
    readonly ConcurrentDictionary<TKey, bool> setAside = new();

    public bool Contains(TKey key) => setAside.ContainsKey(key);

    public IReadOnlyCollection<TKey> Keys => (IReadOnlyCollection<TKey>)setAside.Keys;

    public void Succeeded(TKey key) => failures.TryRemove(key, out _);

    /// <summary>Counts a failure of this item; true when it has now been set aside.</summary>
    public bool Failed(TKey key, Exception e)
    {
        var count = failures.AddOrUpdate(key, 1, (_, n) => n + 1);
        log.LogWarning("{What} {Id} failed ({Error}), {Count} time(s) in a row", what, key, e.GetType().Name, count);
        if (count < Limit || !setAside.TryAdd(key, true)) return false;
        failures.TryRemove(key, out _);
        lock (loops[loop]) loops[loop].SetAside++;
        log.LogError("{What} {Id} set aside after {Limit} failures in a row ({Error}); the {Loop} loop goes on without it", what, key, Limit,
            e.GetType().Name, loop);
        return true;
    }
}

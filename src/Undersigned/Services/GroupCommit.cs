using System.Data.Common;
using System.Threading.Channels;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Services;

/// <summary>
/// The one writer on the signing hot path: new signatures, confirmation clicks and the outbox's record of what was sent
/// queue here, and the writer commits many at once (each through its store in a savepoint of its own, or, with
/// <see cref="Settings.WriterSetPath"/>, a batch's new signatures as one set), answering each only after COMMIT, so a
/// 202 means durable and a spike costs one COMMIT per batch, not one per request. A first signature and a duplicate are
/// answered after the same COMMIT, so neither the answer nor its timing tells them apart.
/// </summary>
/// <remarks>
/// When the database is out of reach, the batch's requests fail with <see cref="DatabaseUnavailableException"/> (503 with
/// Retry-After), and the writer reconnects with back-off; it stops only when the host does.
/// </remarks>
public sealed class GroupCommit(Db db, SignaturesStore signatures, Loops loops, ServiceMetrics metrics, Settings settings, TimeProvider clock,
    ILogger<GroupCommit> log) : BackgroundService
{
    public const int QueueCapacity = 20_000, MaxBatch = 512;

    /// <summary>A write and who waits for it. <see cref="Order"/>: see <see cref="WriteBatchAsync"/>.</summary>
    abstract class Job(string? order)
    {
        public string? Order { get; } = order;
        public abstract Task RunAsync(WriteTransaction tx, DateTimeOffset now);
        public abstract void Answer();
        public abstract void Fail(Exception error);
        public abstract void Cancel();
    }

    class Job<T>(string? order, Func<WriteTransaction, DateTimeOffset, Task<T>> write) : Job(order)
    {
        public readonly TaskCompletionSource<T> Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        T result = default!;
        public override async Task RunAsync(WriteTransaction tx, DateTimeOffset now) => result = await write(tx, now);
        /// <summary>Written with others (the set path): what it would have returned.</summary>
        public void Written(T value) => result = value;
        public override void Answer() => Done.TrySetResult(result);
        public override void Fail(Exception error) => Done.TrySetException(error);
        public override void Cancel() => Done.TrySetCanceled();
    }

    /// <summary>A signature: written with the batch's other new ones as a set when it can be, else alone.</summary>
    sealed class SignJob(SignatureDraft draft, SignaturesStore signatures)
        : Job<SignResult>(draft.Email ?? "", (tx, now) => signatures.SignAsync(tx, draft, now))
    {
        public SignatureDraft Draft { get; } = draft;
    }

    readonly Channel<Job> queue = Channel.CreateBounded<Job>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Writes waiting for the writer now.</summary>
    public int QueueDepth => queue.Reader.Count;

    /// <summary>Whether the writer is taking work: started, and neither stopped nor stopping.</summary>
    public bool IsRunning => ExecuteTask is { IsCompleted: false } && !stopping;
    volatile bool stopping;

    /// <summary>Queues a signature; null when the queue is full or the service is stopping (answer 503 rather than grow without bound).</summary>
    public Task<SignResult>? TrySign(SignatureDraft draft)
    {
        var job = new SignJob(draft, signatures);
        return queue.Writer.TryWrite(job) ? job.Done.Task : null;
    }

    /// <summary>
    /// Queues a write that must happen, waiting for room in the queue (confirmations, the outbox's records); once the
    /// service is stopping, <see cref="DatabaseUnavailableException"/> (503: the client tries again on the next instance).
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<WriteTransaction, DateTimeOffset, Task<T>> write, CancellationToken ct)
    {
        var job = new Job<T>(null, write);
        try
        {
            await queue.Writer.WriteAsync(job, ct);
        }
        catch (ChannelClosedException e)
        {
            throw new DatabaseUnavailableException(e);
        }
        return await job.Done.Task;
    }

    /// <summary>
    /// On SIGTERM: takes no new work (requests arriving now are answered 503 with Retry-After), commits everything queued
    /// within the host's shutdown timeout, and only then stops, so a rolling deploy in a spike fails no signer.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        queue.Writer.TryComplete();
        if (ExecuteTask is { } running) await running.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Job>(MaxBatch);
        DbConnection? connection = null;
        var failures = 0;
        try
        {
            // Until the queue is closed (StopAsync) and drained: the token stops only what is left at the shutdown timeout.
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item)) batch.Add(item);
                try
                {
                    connection ??= await db.OpenForBatchesAsync(stoppingToken);
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    await WriteBatchAsync(connection, batch, stoppingToken);
                    metrics.BatchCommitted(batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
                    failures = 0;
                    loops.Succeeded(Loops.Writer);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested && Transient.Is(e))
                {
                    // Nothing in the batch was committed: each request is told to try again, and the next batch starts on
                    // a fresh connection once the database answers again.
                    var unavailable = e as DatabaseUnavailableException ?? new DatabaseUnavailableException(e);
                    foreach (var job in batch) job.Fail(unavailable);
                    loops.Failed(Loops.Writer, unavailable.InnerException ?? e);
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                    // A restart or failover cut the idle connections too: the next batch tries a fresh one at once, and
                    // only a database still out of reach then is waited for.
                    db.ForgetIdleConnections();
                    if (++failures > 1) await BackOffAsync(Loops.Backoff(failures - 1, MaxReconnectWait), unavailable, stoppingToken);
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
            queue.Writer.TryComplete();
            // Nothing waits forever: anything still queued at shutdown was never stored, and says so.
            foreach (var job in batch) job.Cancel();
            while (queue.Reader.TryRead(out var job)) job.Cancel();
        }
    }

    /// <summary>
    /// The batch's new public signatures as a set, with a fixed number of statements (see <see cref="SignaturesStore.SignSetAsync"/>).
    /// An address that comes twice in the batch goes one at a time, in order, as do those already on the letter; should
    /// the set fail for a reason other than a conflict, it is undone and every signature goes one at a time (counted).
    /// </summary>
    async Task<bool[]> WriteSetAsync(WriteTransaction tx, DbConnection connection, List<Job> batch, List<int> order, DateTimeOffset now)
    {
        var written = new bool[batch.Count];
        if (!settings.WriterSetPath) return written;
        var signs = order.Where(i => batch[i] is SignJob).ToList();
        var once = signs.GroupBy(i => ServiceKeys.Canonical(((SignJob)batch[i]).Draft.Email ?? "")).Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet();
        var set = signs.Where(i => ((SignJob)batch[i]).Draft is var d && SignaturesStore.Settable(d) && once.Contains(ServiceKeys.Canonical(d.Email!))).ToList();
        if (set.Count == 0) return written;
        try
        {
            var results = await tx.InSavepointAsync(() => signatures.SignSetAsync(tx, [.. set.Select(i => ((SignJob)batch[i]).Draft)], now));
            log.LogDebug("{Count} new signatures written as a set", results.Count(r => r is not null));
            for (var k = 0; k < set.Count; k++)
                if (results[k] is { } result)
                {
                    ((SignJob)batch[set[k]]).Written(result);
                    written[set[k]] = true;
                }
        }
        catch (Exception e) when (connection.State != System.Data.ConnectionState.Open)
        {
            throw new DatabaseUnavailableException(e);
        }
        catch (DbException e) // the connection still open: the database refused the set, not went away
        {
            log.LogWarning("The batch's new signatures could not go in as a set ({Error}); they go one at a time", e.GetType().Name);
            metrics.SetFellBack();
        }
        return written;
    }

    /// <summary>
    /// Waits out a reconnect back-off. Requests that arrive meanwhile are answered at once (503, try again) rather than held
    /// for a database that may not answer for minutes; a stop ends the wait.
    /// </summary>
    async Task BackOffAsync(TimeSpan delay, DatabaseUnavailableException unavailable, CancellationToken ct)
    {
        var elapsed = Task.Delay(delay, clock, ct);
        while (true)
        {
            var arrived = queue.Reader.WaitToReadAsync(ct).AsTask();
            // Elapsed, or cancelled with the host (the loop sees the token), or the queue closed for a stop: waiting ends.
            if (await Task.WhenAny(elapsed, arrived) == elapsed || !await arrived) return;
            while (queue.Reader.TryRead(out var job)) job.Fail(unavailable);
        }
    }

    /// <summary>Short: a signer's retry should find the writer awake.</summary>
    static readonly TimeSpan MaxReconnectWait = TimeSpan.FromSeconds(5);

    /// <summary>Writes and commits a batch, then answers each request; throws when nothing could be committed.</summary>
    async Task WriteBatchAsync(DbConnection connection, List<Job> batch, CancellationToken ct)
    {
        var failed = new Exception?[batch.Count];
        await using (var tx = await WriteTransaction.BeginAsync(connection, ownsConnection: false, ct))
        {
            var now = clock.GetUtcNow();
            // Signatures in address order, then the rest: another instance's writer, taking the same addresses' rows in the
            // same order, can make this one wait but never deadlock with it.
            var order = Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Order ?? "\uffff", StringComparer.OrdinalIgnoreCase).ToList();
            var written = await WriteSetAsync(tx, connection, batch, order, now);
            foreach (var i in order)
            {
                if (written[i]) continue;
                // A savepoint per job: one failure does not undo the others in the batch (on PostgreSQL a failed
                // statement would otherwise abort the whole transaction).
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await tx.InSavepointAsync(async () => { await batch[i].RunAsync(tx, now); return true; });
                        break;
                    }
                    // Another instance may have committed the same rows since we looked: look again, once.
                    catch (DbException) when (attempt == 1 && connection.State == System.Data.ConnectionState.Open) { }
                    catch (Exception e) when (connection.State != System.Data.ConnectionState.Open)
                    {
                        throw new DatabaseUnavailableException(e); // the connection is gone: the batch with it
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // This request alone fails; the rest of the batch is committed.
                        log.LogError("A write in a group commit failed: {Error}", e.GetType().Name);
                        failed[i] = e;
                        break;
                    }
                }
            }
            await tx.CommitAsync(ct);
        }

        for (var i = 0; i < batch.Count; i++)
            if (failed[i] is { } error) batch[i].Fail(error);
            else batch[i].Answer();
    }
}


using System.Data.Common;
using System.Threading.Channels;
using Undersigned.Services.Mail;

namespace Undersigned.Services;

/// <summary>
/// The one writer of new signatures. Requests queue here; the writer commits many at once (each signature with its
/// outbox row and counts, through <see cref="SignaturesStore"/>) and answers each only after COMMIT, so a 202 means
/// durable. A first signature and a duplicate take the same path, so neither the answer nor its timing tells them apart.
/// </summary>
public sealed class SignatureWriter(Db db, SignaturesStore signatures, OutboxSignal outboxSignal, TimeProvider clock,
    ILogger<SignatureWriter> log) : BackgroundService
{
    public const int QueueCapacity = 20_000, MaxBatch = 512;

    readonly Channel<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)> queue =
        Channel.CreateBounded<(SignatureDraft, TaskCompletionSource<SignResult>)>(
            new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>Queues a signature; null when the queue is full (answer 503 rather than grow without bound).</summary>
    public Task<SignResult>? TryWrite(SignatureDraft draft)
    {
        var done = new TaskCompletionSource<SignResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return queue.Writer.TryWrite((draft, done)) ? done.Task : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)>(MaxBatch);
        DbConnection? connection = null;
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item)) batch.Add(item);
                connection ??= await db.OpenForBatchesAsync(stoppingToken);
                if (!await WriteBatchAsync(connection, batch, stoppingToken))
                {
                    await connection.DisposeAsync(); // start the next batch on a fresh connection
                    connection = null;
                }
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
            // Nothing waits forever: anything still queued at shutdown was never stored, and says so.
            foreach (var (_, done) in batch) done.TrySetCanceled();
            while (queue.Reader.TryRead(out var item)) item.Done.TrySetCanceled();
        }
    }

    /// <summary>Writes and commits a batch, then answers each request; false when the connection should be replaced.</summary>
    async Task<bool> WriteBatchAsync(DbConnection connection, List<(SignatureDraft Draft, TaskCompletionSource<SignResult> Done)> batch,
        CancellationToken ct)
    {
        var results = new (SignResult? Result, Exception? Error)[batch.Count];
        try
        {
            await using var tx = await WriteTransaction.BeginAsync(connection, ownsConnection: false, ct);
            var now = clock.GetUtcNow();
            // In address order: another instance's writer, taking the same addresses' rows in the same order, can make this
            // one wait but never deadlock with it.
            foreach (var i in Enumerable.Range(0, batch.Count).OrderBy(i => batch[i].Draft.Email, StringComparer.OrdinalIgnoreCase))
            {
                // A savepoint per signature: one failure does not undo the others in the batch (on PostgreSQL a failed
                // statement would otherwise abort the whole transaction).
                var draft = batch[i].Draft;
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        results[i] = (await tx.InSavepointAsync(() => signatures.SignAsync(tx, draft, now)), null);
                        break;
                    }
                    // Another instance may have committed the same address for this letter since we looked: look again, once.
                    catch (DbException) when (attempt == 1) { }
                    catch (Exception e) when (e is DbException or System.Security.Cryptography.CryptographicException)
                    {
                        log.LogError("Could not store a signature for letter {LetterId}: {Error}", draft.LetterId, e.GetType().Name);
                        results[i] = (null, e);
                        break;
                    }
                }
            }
            await tx.CommitAsync(ct);
        }
        catch (Exception e)
        {
            log.LogError("A batch of {Count} signatures was not committed: {Error}", batch.Count, e.GetType().Name);
            foreach (var (_, done) in batch) done.TrySetException(e);
            return false;
        }

        for (var i = 0; i < batch.Count; i++)
            if (results[i].Result is { } result) batch[i].Done.TrySetResult(result);
            else batch[i].Done.TrySetException(results[i].Error!);
        outboxSignal.Notify();
        return true;
    }
}

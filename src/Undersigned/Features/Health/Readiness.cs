using Undersigned.Infrastructure;
using Undersigned.Services;

namespace Undersigned.Features.Health;

/// <summary>
/// Whether this instance can take signatures, and why not: blocking reasons (the database does not answer or has a
/// migration this build does not know, the writer is not running, its queue is over 80 % full) make it not ready;
/// a loop that keeps failing (mail, webhooks, retention) only degrades it.
/// </summary>
public sealed class Readiness(Db db, Migrator migrator, GroupCommit writer, Loops loops)
{
    public sealed record Verdict(List<string> Blocking, List<string> Degrading)
    {
        public string Status => Blocking.Count > 0 ? "not ready" : Degrading.Count > 0 ? "degraded" : "ready";
    }

    public async Task<Verdict> CheckAsync(CancellationToken ct)
    {
        List<string> blocking = [], degrading = [];
        try
        {
            await db.CheckAsync(ct);
            if (await migrator.UnknownAppliedAsync(ct) is [var newer, ..])
                blocking.Add($"the database has migration {newer}, which this build does not know (a newer version upgraded it)");
        }
        catch (Exception e) when (Transient.Is(e))
        {
            blocking.Add("the database does not answer");
        }
        if (!writer.IsRunning) blocking.Add("the signature writer is not running");
        if (writer.QueueDepth > GroupCommit.QueueCapacity * 8 / 10)
            blocking.Add($"the signature queue is over 80 % full ({writer.QueueDepth} of {GroupCommit.QueueCapacity})");
        foreach (var loop in loops.All.Where(l => l.FailingSince is not null && l.Name != Loops.Writer))
            degrading.Add($"{loop.Name}: failing since {Json.Format(loop.FailingSince!.Value)} ({loop.LastError})");
        return new(blocking, degrading);
    }
}

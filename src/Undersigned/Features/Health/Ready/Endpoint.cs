using FastEndpoints;
using Undersigned.Services;

namespace Undersigned.Features.Health.Ready;

public sealed class Response
{
    /// <summary><c>ready</c>, <c>degraded</c> (signatures are taken; mail, webhooks or retention have trouble) or <c>not ready</c>.</summary>
    public required string Status { get; init; }
    /// <summary>Why, for a <c>metrics</c> or admin key only (null otherwise).</summary>
    public List<string>? Reasons { get; init; }
}

/// <summary>
/// Readiness: 503 only when this instance cannot take signatures (the database does not answer or has a migration this
/// build does not know, the writer is not running, or its queue is over 80 % full). Trouble elsewhere is 200 <c>degraded</c>.
/// </summary>
public sealed class Endpoint(Db db, Migrator migrator, GroupCommit writer, Loops loops) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/readyz");
        AllowAnonymous();
        Description(b => b.WithName("Ready").WithTags("Service")
            .WithSummary("200 ready or degraded when this instance can take signatures, 503 not ready when it cannot (reasons for a metrics or admin key)")
            .Produces<Response>().Produces<Response>(503), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
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

        var status = blocking.Count > 0 ? "not ready" : degrading.Count > 0 ? "degraded" : "ready";
        var mayReadReasons = User.IsInRole(Role.Admin) || User.IsInRole(Role.Metrics);
        await Send.ResponseAsync(new Response { Status = status, Reasons = mayReadReasons ? [.. blocking, .. degrading] : null },
            blocking.Count > 0 ? 503 : 200, ct);
    }
}

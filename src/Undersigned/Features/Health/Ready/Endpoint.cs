using FastEndpoints;
using Undersigned.Infrastructure;

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
public sealed class Endpoint(Readiness readiness) : EndpointWithoutRequest<Response>
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
        var verdict = await readiness.CheckAsync(ct);
        var mayReadReasons = User.IsInRole(Role.Admin) || User.IsInRole(Role.Metrics);
        await Send.ResponseAsync(new Response { Status = verdict.Status, Reasons = mayReadReasons ? [.. verdict.Blocking, .. verdict.Degrading] : null },
            verdict.Blocking.Count > 0 ? 503 : 200, ct);
    }
}

using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Health;

public sealed class Response
{
    public required string Status { get; init; }
    /// <summary>This build's version and the commit it was built from (null for a build without git).</summary>
    public required string Version { get; init; }
    public string? Commit { get; init; }
    /// <summary>The newest migration this build ships, e.g. <c>0027_public_timeline</c>.</summary>
    public required string SchemaVersion { get; init; }
}

/// <summary>Liveness: the process and its database answer. Readiness to take signatures is <c>/readyz</c>.</summary>
public sealed class Endpoint(Db db, Migrator migrator) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/healthz");
        AllowAnonymous();
        Description(b => b.WithName("Health").WithTags("Service").WithSummary("200 when the service and its database answer, with the version running")
            .Produces<Response>().Problems(503), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        try
        {
            await db.CheckAsync(ct);
        }
        catch (System.Data.Common.DbException)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 503, "The database does not answer."));
            return;
        }
        await Send.OkAsync(new Response
        {
            Status = "ok", Version = ServiceVersion.Version, Commit = ServiceVersion.Commit, SchemaVersion = migrator.SchemaVersion,
        }, ct);
    }
}

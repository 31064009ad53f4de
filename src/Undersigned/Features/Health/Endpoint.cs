using FastEndpoints;

namespace Undersigned.Features.Health;

public sealed class Response
{
    public required string Status { get; init; }
}

public sealed class Endpoint(Db db) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/healthz");
        AllowAnonymous();
        Description(b => b.WithName("Health").WithTags("Service").WithSummary("200 when the service and its database answer")
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
        await Send.OkAsync(new Response { Status = "ok" }, ct);
    }
}

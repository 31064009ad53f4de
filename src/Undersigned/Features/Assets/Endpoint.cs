using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Assets;

/// <summary>The styles and scripts of the service's own pages (the letter page, the console).</summary>
public sealed class Endpoint(Settings settings) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/assets/{file}");
        AllowAnonymous();
        Description(b => b.WithName("GetAsset").WithTags("Pages").WithSummary("A style sheet or script of the service's own pages")
            .Produces(200, contentType: "text/css").Produces(304).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (StaticAssets.Find(Route<string>("file")) is not { } asset)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "No asset has this name."));
            return;
        }
        await StaticAssets.SendAsync(HttpContext, settings, asset, ct);
    }
}

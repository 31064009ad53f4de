using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Widget.Script;

/// <summary>The embeddable widget's script, served from memory, cacheable like the public letter.</summary>
public sealed class Endpoint(Settings settings) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/widget.js");
        AllowAnonymous();
        Description(b => b.WithName("GetWidgetScript").WithTags("Widget")
            .WithSummary("The signature widget: <script src=\".../widget.js\" data-letter=\"slug\" async></script>")
            .Produces(200, contentType: "text/javascript").Produces(304), clearDefaults: true);
    }

    // Partner pages load it cross-origin; it runs there, so it needs no policy of ours beyond not being framed.
    public override Task HandleAsync(CancellationToken ct) => StaticAssets.SendAsync(HttpContext, settings, StaticAssets.Find("widget.js")!, ct);
}

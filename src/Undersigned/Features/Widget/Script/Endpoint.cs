using System.Security.Cryptography;
using FastEndpoints;

namespace Undersigned.Features.Widget.Script;

/// <summary>The embeddable widget's script, served from memory, cacheable like the public letter.</summary>
public sealed class Endpoint(Settings settings) : EndpointWithoutRequest
{
    static readonly byte[] Script = Load();
    static readonly string ETag = PublicCache.ETag(Convert.ToHexStringLower(SHA256.HashData(Script)));

    static byte[] Load()
    {
        using var stream = typeof(Endpoint).Assembly.GetManifestResourceStream("Undersigned.widget.js")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public override void Configure()
    {
        Get("/widget.js");
        AllowAnonymous();
        Description(b => b.WithName("GetWidgetScript").WithTags("Widget")
            .WithSummary("The signature widget: <script src=\".../widget.js\" data-letter=\"slug\" async></script>")
            .Produces(200, contentType: "text/javascript").Produces(304), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        // Partner pages load it cross-origin; it runs there, so it needs no policy of ours beyond not being framed.
        if (PublicCache.IsCurrent(HttpContext, settings, ETag))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        await Send.BytesAsync(Script, contentType: "text/javascript; charset=utf-8", cancellation: ct);
    }
}

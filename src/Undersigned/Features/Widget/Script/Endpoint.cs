using System.Security.Cryptography;
using FastEndpoints;

namespace Undersigned.Features.Widget.Script;

/// <summary>The embeddable widget's script, served from memory with an ETag so browsers revalidate cheaply.</summary>
public sealed class Endpoint : EndpointWithoutRequest
{
    static readonly byte[] Script = Load();
    static readonly string ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Script))[..32]}\"";

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
        var headers = HttpContext.Response.Headers;
        headers.ETag = ETag;
        headers.CacheControl = "public, max-age=300";
        // Partner pages load it cross-origin; it runs there, so it needs no policy of ours beyond not being framed.
        headers.AccessControlAllowOrigin = "*";
        if (HttpContext.Request.Headers.IfNoneMatch.Contains(ETag))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        await Send.BytesAsync(Script, contentType: "text/javascript; charset=utf-8", cancellation: ct);
    }
}

using System.Net;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Widget.Embed;

/// <summary>
/// Iframe mode: a page holding the widget, which posts its height to the parent. Only the letter's and its partners'
/// <c>allowedOrigins</c> may frame it (any site when the letter lists none), said by CSP frame-ancestors.
/// </summary>
public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/embed/{slug}");
        AllowAnonymous();
        Description(b => b.WithName("GetEmbed").WithTags("Widget").WithSummary("The widget as a page for an iframe: <iframe src=\".../embed/slug\">")
            .Produces(200, contentType: "text/html").Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var published = await letters.FindPublishedAsync(Route<string>("slug")!, ct);
        var letter = published?.Row;
        if (letter is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        var ancestors = published!.Origins.Length == 0 ? "*" : string.Join(' ', published.Origins);
        var headers = HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; " +
                                        $"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}";
        headers.CacheControl = "no-cache";
        // The widget picks among the letter's languages: this one where it can, else the browser's.
        var lang = LanguageTag.Normalise(HttpContext.Request.Query["lang"].ToString()) ?? "";
        var slug = WebUtility.HtmlEncode(letter.Slug);
        // A partner's code attributes what is signed here; one this letter does not have is ignored, not refused.
        var partner = HttpContext.Request.Query["partner"].ToString() is { Length: > 0 } code && published.Partners.ContainsKey(code)
            ? $" data-partner=\"{WebUtility.HtmlEncode(code)}\"" : "";
        await Send.StringAsync($$"""
            <!doctype html>
            <html{{(lang.Length > 0 ? $" lang=\"{lang}\"" : "")}}>
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer">
            <title>{{WebUtility.HtmlEncode(letter.Title)}}</title>
            <style>body { margin: 0; font-family: system-ui, sans-serif; } .undersigned-widget { max-width: none; }</style></head>
            <body><script src="/widget.js" data-letter="{{slug}}"{{(lang.Length > 0 ? $" data-lang=\"{lang}\"" : "")}} data-mode="iframe"{{partner}}></script></body>
            </html>
            """, contentType: "text/html; charset=utf-8", cancellation: ct);
    }
}

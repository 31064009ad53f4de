using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.StaffConsole;

/// <summary>
/// The staff console: a page that runs on the public API with a session token, so everything it does stays
/// scriptable. The page itself holds nothing private; the API checks every call.
/// </summary>
public sealed class Endpoint : EndpointWithoutRequest
{
    /// <summary>
    /// Scripts only from the service; DOM sinks refuse strings (Trusted Types) except the one policy that puts the
    /// server-sanitised letter preview into a sandboxed frame; nothing may frame the console.
    /// </summary>
    const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-src 'self'; " +
                          "require-trusted-types-for 'script'; trusted-types undersigned-preview; " +
                          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public override void Configure()
    {
        Get("/console");
        AllowAnonymous();
        Description(b => b.WithName("GetConsole").WithTags("Pages").WithSummary("The staff console (HTML; signs in with an API key)")
            .Produces(200, contentType: "text/html"), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var headers = HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.CacheControl = "no-cache";
        await Send.StringAsync($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <meta name="robots" content="noindex">
            <title>Undersigned console</title>
            <link rel="icon" href="{StaticAssets.Url("icon.svg")}" type="image/svg+xml">
            <link rel="stylesheet" href="{StaticAssets.Url("console.css")}">
            <script type="module" src="{StaticAssets.Url("console.js")}"></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to the content</a>
            <header>
            <p class="brand">Undersigned console</p>
            <nav id="nav" aria-label="Console" hidden></nav>
            </header>
            <main id="main" tabindex="-1"><p>The console needs JavaScript.</p></main>
            </body>
            </html>

            """, contentType: "text/html; charset=utf-8", cancellation: ct);
    }
}

using System.Net;
using System.Security.Cryptography;
using FastEndpoints;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Updates.Unsubscribe;

/// <summary>
/// RFC 8058 one-click unsubscribe. A POST (what mail clients send, with <c>List-Unsubscribe=One-Click</c>) stops updates
/// at once; a GET shows a page whose button posts, and changes nothing, so a link scanner unsubscribes nobody. The
/// signature stays. The token can do nothing else, and only its hash is stored.
/// </summary>
public sealed class Endpoint(SignaturesStore signatures) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Verbs(Http.GET, Http.POST);
        Routes("/unsubscribe");
        AllowAnonymous();
        AllowFormData(urlEncoded: true);
        Description(b => b.WithTags("Public").WithSummary("Unsubscribe from a letter's updates: GET shows a page, POST (one-click, RFC 8058) unsubscribes")
            .Produces(200, contentType: "text/html").Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var token = Query<string>("t", isRequired: false) ?? "";
        var post = HttpMethods.IsPost(HttpContext.Request.Method);
        if (post && (token.Length is 0 or > 100 || !await signatures.UnsubscribeAsync(token, ct)))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This unsubscribe link is not valid.", ("t", "is not valid.")));
            return;
        }
        // In the signer's language: the token says which, and the link itself carries none (a language can stand in for origin).
        var words = Words.For(token.Length is 0 or > 100 ? null : await signatures.LanguageOfUnsubscribeAsync(token, ct), HttpContext.Request);
        string W(string key) => WebUtility.HtmlEncode(words[key]);
        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src 'nonce-{nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        var heading = W(post ? "page.unsubscribe.doneHeading" : "page.unsubscribe.heading");
        var body = post
            ? $"<h1>{heading}</h1><p>{W("page.unsubscribe.done")}</p>"
            : $"""
              <h1>{heading}</h1>
              <p>{W("page.unsubscribe.explain")}</p>
              <form method="post" action="/unsubscribe?t={WebUtility.UrlEncode(token)}"><button type="submit">{W("page.unsubscribe.button")}</button></form>
              """;
        await Send.StringAsync($$"""
            <!doctype html>
            <html lang="{{words.Tag}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer"><title>{{heading}}</title>
            <style nonce="{{nonce}}">body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
            button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 2px solid #0b4f8a; background: #0b4f8a; color: #fff; }
            button:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }</style></head>
            <body><main>{{body}}</main></body></html>
            """, contentType: "text/html; charset=utf-8", cancellation: ct);
    }
}

using System.Net;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Privacy.Page;

/// <summary>
/// "What do you hold about me?": an address in, and the enumeration-safe data request behind it, so the page answers the
/// same for an address that signed and one that did not. In the language of <c>?lang=</c>, else the browser's.
/// </summary>
public sealed class Endpoint(OrganisationSettings organisation) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Get("/privacy");
        AllowAnonymous();
        Description(b => b.WithTags("Privacy").WithSummary("The page where anyone asks what is held about their address (HTML)")
            .Produces(200, contentType: "text/html"), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var words = Words.Named(HttpContext.Request.Query["lang"].ToString()) ?? Words.For(null, HttpContext.Request);
        string W(string key) => WebUtility.HtmlEncode(words[key]);
        var nonce = SecurityHeaders.SignerPage(HttpContext.Response);
        var who = WebUtility.HtmlEncode(words.Format("page.rights.who", ("organisation", organisation.Name ?? words["widget.organisers"])));
        await Send.StringAsync($$"""
            <!doctype html>
            <html lang="{{words.Tag}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{W("page.rights.heading")}}</title>
            <style nonce="{{nonce}}">
              body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; overflow-wrap: anywhere; }
              label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
              input { width: 100%; box-sizing: border-box; padding: .5rem; font: inherit; border: 1px solid #6b6b6b; border-radius: .3rem; }
              input[aria-invalid=true] { border: 2px solid #b3261e; } .error { color: #b3261e; margin: .25rem 0 0; }
              button { font: inherit; padding: .6rem 1.2rem; margin-top: 1rem; border-radius: .4rem; border: 2px solid #0b4f8a; background: #0b4f8a; color: #fff; cursor: pointer; }
              button:focus-visible, input:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
            </style>
            </head>
            <body>
            <main>
            <h1>{{W("page.rights.heading")}}</h1>
            <p>{{W("page.rights.explain")}}</p>
            <p>{{who}}</p>
            <form id="ask" novalidate>
              <label for="email">{{W("page.rights.label")}}</label>
              <input id="email" name="email" type="email" autocomplete="email" aria-describedby="email-error">
              <p class="error" id="email-error"></p>
              <button type="submit">{{W("page.rights.button")}}</button>
            </form>
            <p id="result" role="status" aria-live="polite"></p>
            </main>
            <script nonce="{{nonce}}">
              const form = document.getElementById('ask'), email = document.getElementById('email'), error = document.getElementById('email-error');
              const result = document.getElementById('result');
              const words = { done: {{Js(words["page.rights.done"])}}, invalid: {{Js(words["error.email"])}}, wait: {{Js(words["page.wait"])}},
                failed: {{Js(words["page.failed"])}}, network: {{Js(words["page.network"])}} };
              form.addEventListener('submit', async e => {
                e.preventDefault();
                error.textContent = '';
                email.removeAttribute('aria-invalid');
                result.textContent = words.wait;
                try {
                  const response = await fetch('/api/public/data-requests', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: email.value }) });
                  if (response.status === 202) { form.hidden = true; result.textContent = words.done; return; }
                  if (response.status === 400) { result.textContent = ''; error.textContent = words.invalid; email.setAttribute('aria-invalid', 'true'); email.focus(); return; }
                  result.textContent = words.failed;
                } catch { result.textContent = words.network; }
              });
            </script>
            </body>
            </html>
            """, contentType: "text/html; charset=utf-8", cancellation: ct);
    }

    /// <summary>Our own words as a script literal (escaped for a script element).</summary>
    static string Js(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}

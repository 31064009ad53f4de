using System.Net;
using System.Security.Cryptography;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signing.Pages;

public sealed class Request
{
    /// <summary>
    /// The letter's slug, in links sent before links stopped naming it (they keep working); the verify page now learns
    /// the letter from its token's preview. The token stays in the URL fragment.
    /// </summary>
    public string? Letter { get; set; }
}

/// <summary>
/// The pages behind the emailed links. The token travels in the fragment, which browsers never send to a server, and
/// the page learns the letter from it (a preview); the page changes nothing until the person presses the button, so mail
/// scanners that follow links confirm nothing.
/// </summary>
public sealed class Endpoint(LettersStore letters) : Endpoint<Request>
{
    public override void Configure()
    {
        Get("/verify", "/withdraw", "/stop-sharing");
        AllowAnonymous();
        Description(b => b.WithTags("Public").WithSummary("The page a verification, withdraw or stop-sharing link opens (HTML; changes nothing)")
            .Produces(200, contentType: "text/html"), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var page = HttpContext.Request.Path.Value!.TrimStart('/');
        string? title = null;
        if (request.Letter is { } slug)
            title = (await letters.FindPublishedAsync(slug, ct))?.Row.Title;

        var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var headers = HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; " +
                                        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        await Send.StringAsync(Page(page, title, nonce), contentType: "text/html; charset=utf-8", cancellation: ct);
    }

    static string Page(string page, string? title, string nonce)
    {
        var (heading, explanation, button, api, done) = page switch
        {
            "withdraw" => ("Withdraw your signature", "Your name will be taken off the letter and your details erased. This cannot be undone.",
                "Withdraw my signature", "/api/public/signatures/withdraw", "Your signature has been withdrawn and your details erased."),
            "stop-sharing" => ("Stop sharing your details", "The partner organisation you let contact you about this campaign will not get your details any more, and any system of theirs we sent them to is told to erase them. Your signature stays.",
                "Stop sharing my details", "/api/public/signatures/stop-sharing", "Done: your details are no longer shared with the partner."),
            _ => ("Confirm your signature", "Press the button to confirm that you signed this letter.",
                "Confirm my signature", "/api/public/signatures/verify", "Thank you: your signature is confirmed."),
        };
        var letter = $"<p class=\"letter\" id=\"letter\"{(title is null ? " hidden" : "")}>{WebUtility.HtmlEncode(title ?? "")}</p>";
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{{heading}}</title>
            <style nonce="{{nonce}}">
              body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; overflow-wrap: anywhere; }
              .letter { font-weight: 600; font-size: 1.2rem; }
              button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 2px solid #0b4f8a; background: #0b4f8a; color: #fff; cursor: pointer; }
              button:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
              button[disabled] { opacity: .6; }
            </style>
            </head>
            <body>
            <main>
            <h1>{{heading}}</h1>
            {{letter}}
            <p>{{explanation}}</p>
            <p id="details" hidden></p>
            <button id="act" type="button">{{button}}</button>
            <p id="result" role="status" aria-live="polite"></p>
            </main>
            <script nonce="{{nonce}}">
              const token = decodeURIComponent(location.hash.slice(1));
              const button = document.getElementById('act'), result = document.getElementById('result');
              if (!token) { button.disabled = true; result.textContent = 'This link is incomplete: open the whole link from your email.'; }
              else preview();
              // Before anything changes, the person sees which letter the link is for and, to confirm, what it would
              // publish, so nobody confirms words put in their mouth.
              async function preview() {
                try {
                  const response = await fetch('{{api}}', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, preview: true }) });
                  const body = await response.json();
                  if (!response.ok) { button.disabled = true; result.textContent = body.detail || 'This link is not valid.'; return; }
                  const letter = document.getElementById('letter');
                  letter.textContent = body.letterTitle;
                  letter.hidden = false;
                  if (!('signatory' in body)) return;
                  const details = document.getElementById('details');
                  // The name as text in its own isolate, so a right-to-left name cannot reorder the sentence around it.
                  const name = document.createElement('bdi');
                  name.textContent = body.signatory;
                  details.replaceChildren(body.showName ? 'The letter will list you as: “' : 'You will be counted as “', name,
                    (body.showName ? '”.' : '”; your name will not be shown.')
                    + ' Not you, or not what you sent? Ignore this page: nothing is signed unless you press the button.');
                  details.hidden = false;
                } catch { /* the button still works; the email said the same */ }
              }
              button.addEventListener('click', async () => {
                button.disabled = true;
                result.textContent = 'One moment…';
                try {
                  const response = await fetch('{{api}}', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
                  const body = await response.json();
                  if (response.ok) {
                    result.textContent = body.status === 'review'
                      ? 'Thank you: your signature is confirmed and will appear once the organisers have checked it.'
                      : '{{done}}';
                    history.replaceState(null, '', location.pathname + location.search);
                  } else {
                    result.textContent = body.detail || 'Something went wrong.';
                  }
                } catch {
                  button.disabled = false;
                  result.textContent = 'We could not reach the server. Check your connection and try again.';
                }
              });
            </script>
            </body>
            </html>
            """;
    }
}

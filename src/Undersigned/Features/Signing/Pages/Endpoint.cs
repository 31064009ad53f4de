using System.Net;
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
        var page = HttpContext.Request.Path.Value!.TrimStart('/') switch { "withdraw" => "withdraw", "stop-sharing" => "stopSharing", _ => "verify" };
        string? title = null;
        if (request.Letter is { } slug)
            title = (await letters.FindPublishedAsync(slug, ct))?.Row.Title;

        var nonce = SecurityHeaders.SignerPage(HttpContext.Response);
        // The browser's language first; the token's preview then says which language the signer read the letter in.
        var words = Words.For(null, HttpContext.Request);
        await Send.StringAsync(Page(page, words, title, nonce), contentType: "text/html; charset=utf-8", cancellation: ct);
    }

    static string Page(string page, Words words, string? title, string nonce)
    {
        string W(string key) => WebUtility.HtmlEncode(words[key]);
        var api = page switch { "withdraw" => "withdraw", "stopSharing" => "stop-sharing", _ => "verify" };
        var letter = $"<p class=\"letter\" id=\"letter\"{(title is null ? " hidden" : "")}>{WebUtility.HtmlEncode(title ?? "")}</p>";
        return $$"""
            <!doctype html>
            <html lang="{{words.Tag}}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title data-w="{{page}}.heading">{{W($"page.{page}.heading")}}</title>
            <style nonce="{{nonce}}">
              body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #1a1a1a; overflow-wrap: anywhere; }
              .letter { font-weight: 600; font-size: 1.2rem; }
              a { color: #0b4f8a; }
              button { font: inherit; padding: .6rem 1.2rem; border-radius: .4rem; border: 2px solid #0b4f8a; background: #0b4f8a; color: #fff; cursor: pointer; }
              button:focus-visible, a:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
              button[disabled] { opacity: .6; }
            </style>
            </head>
            <body>
            <main>
            <h1 data-w="{{page}}.heading">{{W($"page.{page}.heading")}}</h1>
            {{letter}}
            <p id="explain" data-w="{{page}}.explain">{{W($"page.{page}.explain")}}</p>
            <p id="details" hidden></p>
            <button id="act" type="button" data-w="{{page}}.button">{{W($"page.{page}.button")}}</button>
            <p id="result" role="status" aria-live="polite"></p>
            <p id="back" hidden><a id="to-letter" href="/" data-w="toLetter">{{W("page.toLetter")}}</a></p>
            </main>
            <script nonce="{{nonce}}">
              // Every language's words for these pages; the signer's language is the one they read the letter in.
              const T = {{Words.SectionJson("page.")}};
              let t = T['{{words.Tag}}'];
              const token = decodeURIComponent(location.hash.slice(1));
              const button = document.getElementById('act'), result = document.getElementById('result');
              const say = key => { result.dataset.w = key; result.textContent = t[key]; };
              // Switches every marked text to the signer's language (its base language, else the browser's choice stays).
              function speak(language) {
                const tag = (language || '').toLowerCase();
                const found = T[tag] || T[tag.split('-')[0]];
                if (!found) return;
                t = found;
                document.documentElement.lang = t.tag;
                document.querySelectorAll('[data-w]').forEach(e => { if (t[e.dataset.w]) e.textContent = t[e.dataset.w]; });
              }
              function showLetter(slug, language) {
                const link = document.getElementById('to-letter');
                link.href = '/letters/' + encodeURIComponent(slug) + (language ? '?lang=' + encodeURIComponent(language) : '');
                document.getElementById('back').hidden = false;
              }
              const problem = status => status === 410 ? 'expired' : status === 400 ? 'invalid' : 'failed';
              if (!token) { button.disabled = true; say('incomplete'); }
              else preview();
              // Before anything changes, the person sees which letter the link is for and, to confirm, what it would
              // publish, so nobody confirms words put in their mouth.
              async function preview() {
                try {
                  const response = await fetch('/api/public/signatures/{{api}}', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, preview: true }) });
                  const body = await response.json();
                  if (!response.ok) { button.disabled = true; say(problem(response.status)); return; }
                  speak(body.language);
                  const letter = document.getElementById('letter');
                  letter.textContent = body.letterTitle;
                  letter.hidden = false;
                  if (body.alreadyConfirmed) {
                    button.hidden = true;
                    document.getElementById('explain').hidden = true;
                    say('verify.already');
                    showLetter(body.letterSlug, body.language);
                    return;
                  }
                  if (!('signatory' in body)) return;
                  const details = document.getElementById('details');
                  // The name as text in its own isolate, so a right-to-left name cannot reorder the sentence around it.
                  const name = document.createElement('bdi');
                  name.textContent = body.signatory;
                  const [before, after] = t[body.showName ? 'verify.listed' : 'verify.counted'].split('{signatory}');
                  details.replaceChildren(before, name, after + ' ' + t['verify.notYou']);
                  details.hidden = false;
                } catch { /* the button still works; the email said the same */ }
              }
              button.addEventListener('click', async () => {
                button.disabled = true;
                say('wait');
                try {
                  const response = await fetch('/api/public/signatures/{{api}}', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
                  const body = await response.json();
                  if (response.ok) {
                    say(body.alreadyConfirmed ? 'verify.already' : body.status === 'review' ? 'verify.review' : '{{page}}.done');
                    if (body.letterSlug && '{{page}}' === 'verify') showLetter(body.letterSlug, body.language);
                    history.replaceState(null, '', location.pathname + location.search);
                  } else {
                    say(problem(response.status));
                  }
                } catch {
                  button.disabled = false;
                  say('network');
                }
              });
            </script>
            </body>
            </html>
            """;
    }
}

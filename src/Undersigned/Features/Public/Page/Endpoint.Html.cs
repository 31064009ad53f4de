using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Page;

// The page's HTML: every value encoded where it is written, the letter's own HTML sanitised before.
public sealed partial class Endpoint
{
    static string H(string? text) => WebUtility.HtmlEncode(text ?? "");
    static string U(string text) => Uri.EscapeDataString(text);

    static string Render(View v)
    {
        var (letter, text, w) = (v.Letter.Row, v.Text, v.Words);
        var address = $"{v.Base}/letters/{letter.Slug}?lang={v.Tag}";
        string When(DateTimeOffset at) => $"<time datetime=\"{at.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}\">" +
            H(w.Date(at, letter.TimeZone, withTime: true)) + "</time>";
        var countWord = w.Plural("signatures", v.Counts.Total);
        var description = $"{w["to"]}: {text.Target}. {w.Count(v.Counts.Total)} {countWord}. {LetterHtml.Summary(text.Body, 160, letter.Id)}";
        var card = $"{v.Base}/letters/{letter.Slug}/card.png?lang={v.Tag}&v={PublicCache.ETag(letter.RowVersion, v.Counts.Total).Trim('"')[..12]}";
        var shareText = w.Format("shareText", ("title", text.Title));
        var partnerQuery = v.Partner is { Length: > 0 } ? $"&partner={U(v.Partner)}" : "";

        var html = new StringBuilder();
        html.Append($"""
            <!doctype html>
            <html lang="{v.Tag}" dir="{text.Direction}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{H(text.Title)}</title>
            <meta name="description" content="{H(description)}">
            <link rel="canonical" href="{H(address)}">

            """);
        foreach (var other in v.Languages)
            html.Append($"<link rel=\"alternate\" hreflang=\"{other.Tag}\" href=\"{H($"{v.Base}/letters/{letter.Slug}?lang={other.Tag}")}\">\n");
        html.Append($"""
            <meta property="og:type" content="website">
            <meta property="og:title" content="{H(text.Title)}">
            <meta property="og:description" content="{H(description)}">
            <meta property="og:url" content="{H(address)}">
            <meta property="og:locale" content="{w.Culture.Name.Replace('-', '_')}">
            <meta property="og:image" content="{H(card)}">
            <meta property="og:image:type" content="image/png">
            <meta property="og:image:width" content="1200">
            <meta property="og:image:height" content="630">
            <meta property="og:image:alt" content="{H($"{text.Title}. {w["to"]}: {text.Target}. {w.Count(v.Counts.Total)} {countWord}.")}">
            <meta name="twitter:card" content="summary_large_image">
            <meta name="twitter:title" content="{H(text.Title)}">
            <meta name="twitter:description" content="{H(description)}">
            <meta name="twitter:image" content="{H(card)}">
            <link rel="icon" href="{StaticAssets.Url("icon.svg")}" type="image/svg+xml">
            <link rel="stylesheet" href="{StaticAssets.Url("letter.css")}">
            <script type="module" src="{StaticAssets.Url("letter.js")}"></script>
            </head>
            <body>
            <a class="skip" href="#letter">{H(w["skip"])}</a>
            <header>
            <nav class="languages" aria-label="{H(w["languages"])}"><ul>

            """);
        foreach (var other in v.Languages)
            html.Append($"<li><a href=\"?lang={other.Tag}{partnerQuery}\" lang=\"{other.Tag}\" hreflang=\"{other.Tag}\" dir=\"{LanguageTag.Direction(other.Tag)}\"" +
                        (other.Tag == v.Tag ? " aria-current=\"page\"" : "") + $">{H(other.Name)}</a></li>\n");
        html.Append($"""
            </ul></nav>
            </header>
            <main>
            <article id="letter" lang="{text.Language}" dir="{text.Direction}">
            <h1>{H(text.Title)}</h1>
            <p class="meta">{H(w["to"])}: <bdi>{H(text.Target)}</bdi><br>

            """);
        html.Append(v.Status switch
        {
            LetterStatus.Scheduled => $"{H(w["opens"])}: {When(letter.OpensAt!.Value)}<br>{H(w["closes"])}: {When(letter.ClosesAt)}</p>\n",
            LetterStatus.Closed => $"{H(w["closed"])}: {When(letter.ClosesAt)}</p>\n",
            _ => $"{H(w["closes"])}: {When(letter.ClosesAt)}</p>\n",
        });
        html.Append($"""
            <p class="count"><strong>{w.Count(v.Counts.Total)}</strong> {H(countWord)}
            <span class="breakdown">({H(w.Format("breakdown", ("organisations", w.Count(v.Counts.Organisations)), ("individuals", w.Count(v.Counts.Individuals))))})</span></p>
            <div class="text">{BelowTitle(text.BodyHtml)}</div>
            {(v.Days.Count == 0 ? "" : Chart(v.Days, w))}
            </article>
            {Outcomes(v.Letter, w, When)}
            <section class="sign" aria-labelledby="sign-heading">
            <h2 id="sign-heading">{H(w["sign"])}</h2>

            """);
        html.Append(v.Status switch
        {
            LetterStatus.Open => $"<script src=\"/widget.js\" data-letter=\"{H(letter.Slug)}\" data-lang=\"{v.Tag}\" data-mode=\"form\"" +
                                 (v.Partner is null ? "" : $" data-partner=\"{H(v.Partner)}\"") + "></script>\n" +
                                 $"<p class=\"needs-script\">{H(w["needsScript"])}</p>\n",
            LetterStatus.Scheduled => $"<p>{H(w["scheduledNote"])}</p>\n",
            _ => $"<p>{H(w["closedNote"])}</p>\n",
        });
        html.Append($"""
            </section>
            <section class="share" aria-labelledby="share-heading">
            <h2 id="share-heading">{H(w["share"])}</h2>
            <ul class="links">
            <li><a href="mailto:?subject={U(text.Title)}&amp;body={U($"{shareText}\n\n{address}")}">{H(w["shareEmail"])}</a></li>
            <li><a href="https://wa.me/?text={U($"{shareText} {address}")}" rel="noopener noreferrer">WhatsApp</a></li>
            <li><a href="https://bsky.app/intent/compose?text={U($"{shareText} {address}")}" rel="noopener noreferrer">Bluesky</a></li>
            <li><a href="https://mastodon.social/share?text={U($"{shareText} {address}")}" rel="noopener noreferrer">Mastodon</a></li>
            </ul>
            <p><label for="share-link">{H(w["shareLink"])}</label>
            <input id="share-link" type="url" readonly value="{H(address)}">
            <button id="copy-link" type="button" hidden data-copied="{H(w["copied"])}">{H(w["copy"])}</button>
            <span id="copy-status" role="status"></span></p>
            </section>
            <section class="signatories" aria-labelledby="signatories-heading">
            <h2 id="signatories-heading">{H(w["signatories"])}</h2>

            """);
        var items = v.Signatories.Items;
        if (items.Count == 0 && !v.LaterPage) html.Append($"<p>{H(w["noneYet"])}</p>\n");
        foreach (var (kind, heading) in new[] { (SignatureKind.Organisation, w["organisations"]), (SignatureKind.Individual, w["individuals"]) })
        {
            var group = items.Where(r => r.Kind == kind).ToList();
            if (group.Count == 0) continue;
            html.Append($"<h3>{H(heading)}</h3>\n<ul class=\"names\">\n");
            // Each name is only text, in its own isolate: a right-to-left name cannot reorder the names around it.
            foreach (var row in group) html.Append($"<li><bdi>{H(row.Display)}</bdi></li>\n");
            html.Append("</ul>\n");
        }
        if (v.Counts.NotNamed > 0)
            html.Append($"<p>{H(w.Plural("others", v.Counts.NotNamed))}</p>\n");
        if (v.Signatories.NextCursor is not null || v.LaterPage)
        {
            html.Append($"<nav class=\"pages\" aria-label=\"{H(w["pages"])}\"><ul>\n");
            if (v.Signatories.NextCursor is { } next)
                html.Append($"<li><a rel=\"next\" href=\"?lang={v.Tag}{partnerQuery}&amp;cursor={U(next)}#signatories-heading\">{H(w["more"])}</a></li>\n");
            if (v.LaterPage) html.Append($"<li><a href=\"?lang={v.Tag}{partnerQuery}#signatories-heading\">{H(w["first"])}</a></li>\n");
            html.Append("</ul></nav>\n");
        }
        html.Append($"""
            </section>
            </main>
            <footer><p>{H(w["footer"])} <a href="/privacy?lang={v.Tag}">{H(w["widget.rights"])}</a></p></footer>
            </body>
            </html>

            """);
        return html.ToString();
    }

    /// <summary>What came of the letter, newest first: each outcome's title, date, text (sanitised) and link.</summary>
    static string Outcomes(PublishedLetter letter, Words w, Func<DateTimeOffset, string> when)
    {
        if (letter.Outcomes.Count == 0) return "";
        var html = new StringBuilder($"<section class=\"outcomes\" aria-labelledby=\"outcomes-heading\">\n<h2 id=\"outcomes-heading\">{H(w["outcomes"])}</h2>\n");
        foreach (var (outcome, bodyHtml) in letter.Outcomes)
            html.Append($"<article dir=\"auto\"><h3>{H(outcome.Title)}</h3>\n<p class=\"meta\">{H(w["outcome" + char.ToUpperInvariant(outcome.Kind[0]) + outcome.Kind[1..]])}, {when(outcome.OccurredAt)}</p>\n")
                .Append($"<div class=\"text\">{BelowTitle(BelowTitle(bodyHtml))}</div>\n")
                .Append(outcome.Url is null ? "" : $"<p><a href=\"{H(outcome.Url)}\" rel=\"noopener noreferrer\">{H(w["readMore"])}</a></p>\n")
                .Append("</article>\n");
        return html.Append("</section>\n").ToString();
    }

    /// <summary>
    /// The cumulative count by day as a small SVG line (drawn by the server, no script), with the numbers as a table
    /// for anyone who cannot see it. Only for letters past the public threshold.
    /// </summary>
    static string Chart(List<SignatureTimeline.PublicDay> days, Words w)
    {
        const int width = 600, height = 140, pad = 4;
        var max = Math.Max(1, days[^1].Cumulative);
        var step = days.Count == 1 ? 0 : (width - 2.0 * pad) / (days.Count - 1);
        var points = string.Join(' ', days.Select((d, i) => FormattableString.Invariant(
            $"{pad + (days.Count == 1 ? width / 2.0 - pad : i * step):0.#},{height - pad - (height - 2.0 * pad) * d.Cumulative / max:0.#}")));
        var summary = w.Plural("timelineSummary", days[^1].Cumulative, ("date", days[^1].Date));
        var rows = string.Concat(days.Select(d => $"<tr><td>{d.Date}</td><td>{w.Count(d.Confirmed)}</td><td>{w.Count(d.Cumulative)}</td></tr>\n"));
        return $"""
            <figure class="timeline">
            <figcaption id="timeline-caption">{H(w["timeline"])}: {H(summary)}</figcaption>
            <svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="timeline-caption" preserveAspectRatio="none">
            <line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#8a8a8a" stroke-width="1"/>
            <polyline points="{points}" fill="none" stroke="#0b4f8a" stroke-width="3" stroke-linejoin="round"/>
            </svg>
            <details><summary>{H(w["numbers"])}</summary>
            <table><thead><tr><th scope="col">{H(w["date"])}</th><th scope="col">{H(w["signedThatDay"])}</th><th scope="col">{H(w["total"])}</th></tr></thead>
            <tbody>
            {rows}</tbody></table></details>
            </figure>
            """;
    }

    /// <summary>The letter's own headings one level down: the page's only h1 is the letter's title.</summary>
    static string BelowTitle(string bodyHtml) => Heading().Replace(bodyHtml, m => $"<{m.Groups[1].Value}h{int.Parse(m.Groups[2].Value) + 1}");

    // Sanitised HTML: a '<' inside text or an attribute is escaped, so this only meets real tags.
    [GeneratedRegex("<(/?)h([1-5])(?=[\\s>])")]
    private static partial Regex Heading();
}

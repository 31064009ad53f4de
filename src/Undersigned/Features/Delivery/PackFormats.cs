using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Delivery;

public static partial class PackFormats
{
    [GeneratedRegex(@"([\\`*_{}\[\]<>|~&]|^[#+\-!.])")]
    private static partial Regex MarkdownSpecial();

    /// <summary>Names are text, not Markdown: anything that would format or link is escaped, entities (&amp;#58;) included.</summary>
    static string EscapeMarkdown(string text) => MarkdownSpecial().Replace(text, @"\$1");

    static string Footer(DeliveryPack pack)
        => $"{pack.CountsLine} Text version {pack.TextVersion}, SHA-256 {pack.Sha256}.";

    public const string EarlierWording = "† signed an earlier wording of this letter (in the language they signed in).";

    static string Others(long n) => n == 1 ? "and 1 other who chose not to be named" : $"and {n} others who chose not to be named";

    public static string Markdown(DeliveryPack pack)
    {
        var md = new StringBuilder();
        if (pack.Preview) md.AppendLine("> PREVIEW: includes signatures still in review.").AppendLine();
        md.AppendLine($"# {EscapeMarkdown(pack.Title)}").AppendLine();
        md.AppendLine($"**To:** {EscapeMarkdown(pack.Target)}  ").AppendLine($"**Date:** {pack.LocalDate}").AppendLine();
        // The body stays Markdown, but any raw HTML in it is shown as text, never interpreted.
        md.AppendLine(pack.Body.Replace("<", "&lt;").Replace(">", "&gt;")).AppendLine();
        md.AppendLine("## Signatories").AppendLine();
        void Section(string heading, IReadOnlyList<PackSignatory> signatories)
        {
            if (signatories.Count == 0) return;
            md.AppendLine($"### {heading}").AppendLine();
            foreach (var s in signatories) md.AppendLine($"- {Text.Isolate(EscapeMarkdown(s.Display))}{DeliveryPack.Marks(s)}");
            md.AppendLine();
        }
        Section("Organisations", pack.Organisations);
        Section("Individuals", pack.Individuals);
        if (pack.NotNamed > 0) md.AppendLine($"{Others(pack.NotNamed)}.").AppendLine();
        md.AppendLine("---").AppendLine().AppendLine(Footer(pack));
        foreach (var line in pack.ExtraLines) md.AppendLine().AppendLine(line);
        if (pack.AnyEarlierWording) md.AppendLine().AppendLine(EarlierWording);
        return md.ToString();
    }

    public static string Html(DeliveryPack pack)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.Append($$"""
            <!doctype html>
            <html lang="{{E(pack.Language)}}" dir="{{pack.Direction}}">
            <head>
            <meta charset="utf-8">
            <title>{{E(pack.Title)}}</title>
            <style>
              body { font-family: "Noto Sans", "Noto Naskh Arabic", "Noto Sans Ethiopic", "Noto Sans CJK SC", system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #111; }
              h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; } h3 { font-size: 1.05rem; }
              .meta { color: #333; } .preview { border: 2px solid #b00; padding: .5rem; color: #b00; }
              ul.signatories { list-style: none; padding: 0; columns: 2; } ul.signatories li { break-inside: avoid; margin-bottom: .2rem; }
              footer { margin-top: 2rem; border-top: 1px solid #999; padding-top: .5rem; font-size: .85rem; color: #333; overflow-wrap: anywhere; }
              @page { size: A4; margin: 2cm; }
              @media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
            </style>
            </head>
            <body>
            """);
        if (pack.Preview) html.Append("<p class=\"preview\">PREVIEW: includes signatures still in review.</p>");
        html.Append($"<h1>{E(pack.Title)}</h1><p class=\"meta\"><strong>To:</strong> {E(pack.Target)}<br><strong>Date:</strong> {E(pack.LocalDate)}</p>");
        html.Append("<main>").Append(LetterHtml.Render(pack.Body)).Append("</main>");
        html.Append("<h2>Signatories</h2>");
        void Section(string heading, IReadOnlyList<PackSignatory> signatories)
        {
            if (signatories.Count == 0) return;
            html.Append($"<h3>{heading}</h3><ul class=\"signatories\">");
            foreach (var s in signatories) html.Append($"<li dir=\"auto\">{E(s.Display)}{E(DeliveryPack.Marks(s))}</li>");
            html.Append("</ul>");
        }
        Section("Organisations", pack.Organisations);
        Section("Individuals", pack.Individuals);
        if (pack.NotNamed > 0) html.Append($"<p>{E(Others(pack.NotNamed))}.</p>");
        html.Append($"<footer><p>{E(Footer(pack))}</p>");
        foreach (var line in pack.ExtraLines) html.Append($"<p>{E(line)}</p>");
        if (pack.AnyEarlierWording) html.Append($"<p>{E(EarlierWording)}</p>");
        html.Append("</footer></body></html>\n");
        return html.ToString();
    }
}

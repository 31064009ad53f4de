using System.Net;

namespace Undersigned.Features.Letters;

/// <summary>What staff paste into partners' sites for a letter, written once here: the console shows these.</summary>
public sealed class EmbedSnippets
{
    /// <summary>Script mode: the form appears where the tag is.</summary>
    public required string Script { get; init; }
    /// <summary>
    /// Iframe mode, for sites that prefer a frame: with a few lines of script the frame takes the form's height (only the
    /// service's own message, from its own frame, at most 4,000 px); without them its height still shows the whole form.
    /// </summary>
    public required string Iframe { get; init; }
    /// <summary>The letter's own page, to share.</summary>
    public required string Page { get; init; }

    /// <summary>Tall enough for the whole form at phone width (a language switcher, a partner's question and all).</summary>
    public const int DefaultIframeHeight = 1500;

    public static EmbedSnippets For(string baseUrl, string origin, string slug)
    {
        baseUrl = baseUrl.TrimEnd('/');
        var attribute = WebUtility.HtmlEncode(slug);
        var id = $"undersigned-{attribute}";
        return new()
        {
            Script = $"<script src=\"{baseUrl}/widget.js\" data-letter=\"{attribute}\" async></script>",
            Iframe = $$"""
                <iframe id="{{id}}" src="{{baseUrl}}/embed/{{attribute}}" title="Sign the open letter" style="width:100%;border:0;height:{{DefaultIframeHeight}}px"></iframe>
                <script>addEventListener('message', e => { const f = document.getElementById('{{id}}'), d = e.data;
                  if (f && e.origin === '{{origin}}' && e.source === f.contentWindow && d && d.type === 'undersigned:height' && Number.isFinite(d.height))
                    f.style.height = Math.min(Math.max(d.height, 100), 4000) + 'px'; });</script>
                """,
            Page = $"{baseUrl}/letters/{Uri.EscapeDataString(slug)}",
        };
    }
}

using Ganss.Xss;
using Markdig;

namespace Undersigned.Domain.Letters;

public static class LetterHtml
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "https", "http", "mailto" }) sanitizer.AllowedSchemes.Add(scheme);
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedTags.Remove("img"); // no tracking pixels on partners' pages
        return sanitizer;
    }

    /// <summary>Markdown to HTML with raw HTML disabled, then sanitised: no script, handlers or javascript: links get through.</summary>
    public static string Render(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));

    /// <summary>The letter's opening as plain text, cut at a word within <paramref name="max"/> characters (for link previews).</summary>
    public static string Summary(string markdown, int max)
    {
        var text = string.Join(' ', Markdown.ToPlainText(markdown, Pipeline).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max - 1);
        return text[..(cut > max / 2 ? cut : max - 1)] + "…";
    }
}

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
}

using System.Net;
using Ganss.Xss;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Undersigned.Domain.Letters;

/// <summary>
/// The one place stored Markdown is read. Writers check it with <see cref="IsReadable"/>; every reader falls back to
/// the text escaped, logging it, should rendering still throw: stored text must never take a letter offline.
/// </summary>
public static class LetterHtml
{
    /// <summary>Deeper block or inline nesting is refused when written (Markdig itself refuses far deeper at read time).</summary>
    public const int MaxNesting = 32;

    public const string NestingMessage = "nests quotes, lists or emphasis more than 32 levels deep.";

    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().Build();

    static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    /// <summary>Set at start-up; readers that fall back say so here.</summary>
    public static ILogger Log { get; set; } = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "https", "http", "mailto" }) sanitizer.AllowedSchemes.Add(scheme);
        sanitizer.AllowedAttributes.Remove("style");
        sanitizer.AllowedTags.Remove("img"); // no tracking pixels on partners' pages
        return sanitizer;
    }

    /// <summary>Whether the text parses and nests at most <see cref="MaxNesting"/> levels (walked without recursion).</summary>
    public static bool IsReadable(string? markdown)
    {
        if (markdown is null) return true;
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(markdown, Pipeline);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
        // A level is a quote, a list, or an emphasis or link inside another: what a reader sees as nesting.
        var stack = new Stack<(MarkdownObject Node, int Depth)>();
        stack.Push((document, 0));
        while (stack.Count > 0)
        {
            var (node, depth) = stack.Pop();
            if (depth > MaxNesting) return false;
            switch (node)
            {
                case ContainerBlock container:
                    var inner = container is MarkdownDocument or ListItemBlock ? depth : depth + 1;
                    foreach (var child in container) stack.Push((child, inner));
                    break;
                case LeafBlock { Inline: { } inline }:
                    stack.Push((inline, depth));
                    break;
                case ContainerInline container:
                    var level = container.Parent is null ? depth : depth + 1;
                    foreach (var child in container) stack.Push((child, level));
                    break;
            }
        }
        return true;
    }

    /// <summary>Markdown to HTML with raw HTML disabled, then sanitised: no script, handlers or javascript: links get through.</summary>
    public static string Render(string markdown, long? letterId = null)
        => Read(markdown, letterId, text => Sanitizer.Sanitize(Markdown.ToHtml(text, Pipeline)),
            text => string.Concat(text.ReplaceLineEndings("\n").Split("\n\n").Select(p => $"<p>{WebUtility.HtmlEncode(p.Trim())}</p>")));

    /// <summary>The text without its Markdown, for plain-text readers (emails, the PDF pack).</summary>
    public static string PlainText(string markdown, long? letterId = null) => Read(markdown, letterId, text => Markdown.ToPlainText(text, Pipeline), text => text);

    /// <summary>The letter's opening as plain text, cut at a word within <paramref name="max"/> characters (for link previews).</summary>
    public static string Summary(string markdown, int max, long? letterId = null)
    {
        var text = string.Join(' ', PlainText(markdown, letterId).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max - 1);
        return text[..(cut > max / 2 ? cut : max - 1)] + "…";
    }

    static string Read(string markdown, long? letterId, Func<string, string> read, Func<string, string> fallback)
    {
        try
        {
            return read(markdown);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            Log.LogError("Stored Markdown of letter {LetterId} could not be read ({Error}); shown as plain text", letterId, e.GetType().Name);
            return fallback(markdown);
        }
    }
}

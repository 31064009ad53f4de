using Dapper;
using Ganss.Xss;
using Markdig;
using Microsoft.Data.Sqlite;
using Undersigned.Features.Letters;

namespace Undersigned.Features.Public;

public static class PublicLetter
{
    /// <summary>A published letter by slug; drafts do not exist publicly.</summary>
    public static Task<LetterRow?> FindAsync(SqliteConnection connection, string slug)
        => connection.QuerySingleOrDefaultAsync<LetterRow>("SELECT * FROM letters WHERE slug = @slug AND published_at IS NOT NULL", new { slug });

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
    public static string RenderHtml(string markdown) => Sanitizer.Sanitize(Markdown.ToHtml(markdown, Pipeline));
}

public sealed class PublicCounts
{
    /// <summary>Confirmed organisations.</summary>
    public long Organisations { get; init; }
    /// <summary>Confirmed individuals.</summary>
    public long Individuals { get; init; }
    /// <summary>Confirmed signatories who chose not to be named (included in the two counts above).</summary>
    public long NotNamed { get; init; }
    public long Total => Organisations + Individuals;

    public static async Task<PublicCounts> ReadAsync(SqliteConnection connection, long letterId)
    {
        var rows = (await connection.QueryAsync<(string Kind, bool ShowName, long Count)>(
            "SELECT kind, show_name, count FROM signature_counts WHERE letter_id = @letterId AND status = 'confirmed'", new { letterId })).ToList();
        return new()
        {
            Organisations = rows.Where(r => r.Kind == "organisation").Sum(r => r.Count),
            Individuals = rows.Where(r => r.Kind == "individual").Sum(r => r.Count),
            NotNamed = rows.Where(r => !r.ShowName).Sum(r => r.Count),
        };
    }
}

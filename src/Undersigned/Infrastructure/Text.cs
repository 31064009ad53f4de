using System.Globalization;
using System.Text;

namespace Undersigned.Infrastructure;

/// <summary>Rules for text that letters and signers share.</summary>
public static class Text
{
    /// <summary>Multi-line text (a letter's body): line breaks and tabs, but no other control character or bidi control.</summary>
    public static bool HasNoControlCharacters(string? text)
        => text is null || !text.Any(c => (char.IsControl(c) && c is not ('\n' or '\r' or '\t')) || IsBidiControl(c));

    /// <summary>
    /// One line of plain text: no control character, no Unicode line or paragraph separator (U+2028, U+2029), and no bidi
    /// embedding, override or isolate control, which would let one name reorder the names after it.
    /// </summary>
    public static bool IsSingleLine(string? text)
        => text is null || !text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' || IsBidiControl(c));

    /// <summary>U+202A–U+202E and U+2066–U+2069. The marks real names need (U+200E, U+200F, ZWJ, ZWNJ) are not among them.</summary>
    static bool IsBidiControl(char c) => c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069';

    /// <summary>A slug from a title: accents dropped, anything else that is not a letter or digit becomes a hyphen.</summary>
    public static string Slugify(string title)
    {
        var builder = new StringBuilder();
        foreach (var c in title.Normalize(NormalizationForm.FormKD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsAsciiLetterOrDigit(c)) builder.Append(char.ToLowerInvariant(c));
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        if (slug.Length > 60) slug = slug[..60].TrimEnd('-');
        return slug.Length == 0 ? "letter" : slug;
    }

    /// <summary>
    /// A signer's text wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE for plain text and Markdown, so a
    /// right-to-left name cannot reorder the text around it (HTML uses <c>dir="auto"</c> instead).
    /// </summary>
    public static string Isolate(string text) => $"\u2068{text}\u2069";

    /// <summary>Trimmed, or null when blank: optional fields are stored as absent, not as spaces.</summary>
    public static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

using System.Globalization;
using System.Text;

namespace Undersigned.Infrastructure;

/// <summary>Rules for text that letters and signers share.</summary>
public static class Text
{
    public static bool HasNoControlCharacters(string? text)
        => text is null || !text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));

    public static bool IsSingleLine(string? text) => text is null || !text.Any(char.IsControl);

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

    /// <summary>Trimmed, or null when blank: optional fields are stored as absent, not as spaces.</summary>
    public static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

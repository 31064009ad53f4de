using System.Globalization;
using System.Text.RegularExpressions;

namespace Undersigned.Infrastructure;

/// <summary>BCP 47 language tags as letters carry them: <c>en</c>, <c>cy</c>, <c>ar</c>, <c>pt-BR</c>, <c>sr-Latn</c>.</summary>
public static partial class LanguageTag
{
    public const string Message = "must be a BCP 47 language tag such as en, cy, ar or pt-BR.";

    [GeneratedRegex(@"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}\z")]
    private static partial Regex Pattern();

    /// <summary>The tag in its usual case (<c>pt-BR</c>, <c>sr-Latn</c>), or null when it is not shaped like one.</summary>
    public static string? Normalise(string? tag)
    {
        if (tag is null || !Pattern().IsMatch(tag)) return null;
        var parts = tag.Split('-');
        return string.Join('-', parts.Select((part, i) => i == 0 ? part.ToLowerInvariant()
            : part.Length == 2 ? part.ToUpperInvariant()
            : part.Length == 4 ? char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()
            : part.ToLowerInvariant()));
    }

    static readonly HashSet<string> RightToLeftLanguages = ["ar", "fa", "he", "ur", "ps", "yi", "ckb", "dv", "sd", "ug", "prs"];

    /// <summary>Arabic, Farsi, Hebrew, Urdu and the others written right to left (or any tag naming the Arabic or Hebrew script).</summary>
    public static bool IsRightToLeft(string tag)
        => RightToLeftLanguages.Contains(tag.Split('-')[0]) || tag.Contains("-Arab", StringComparison.Ordinal) || tag.Contains("-Hebr", StringComparison.Ordinal);

    public static string Direction(string tag) => IsRightToLeft(tag) ? "rtl" : "ltr";

    /// <summary>The language's name in itself ("Cymraeg", "العربية"), for a language switcher; the tag when unknown.</summary>
    public static string NativeName(string tag)
    {
        try
        {
            var culture = CultureInfo.GetCultureInfo(tag);
            var name = culture.NativeName;
            return string.IsNullOrEmpty(name) || name.StartsWith("Unknown", StringComparison.Ordinal) || culture.ThreeLetterISOLanguageName == "ivl"
                ? tag : char.ToUpper(name[0], culture) + name[1..];
        }
        catch (CultureNotFoundException)
        {
            return tag;
        }
    }
}

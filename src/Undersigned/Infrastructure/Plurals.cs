namespace Undersigned.Infrastructure;

/// <summary>
/// CLDR's cardinal plural categories for whole numbers (unicode.org/cldr, plurals.xml), for the languages the service
/// writes counts in: its words files' (English, Welsh) and the letters' languages the pack is written in (Arabic, Farsi).
/// A words file has one form per category its language uses: <c>signatures.one</c>, <c>signatures.other</c>…
/// </summary>
public static class Plurals
{
    public const string Zero = "zero", One = "one", Two = "two", Few = "few", Many = "many", Other = "other";

    public static string Category(string language, long n) => (language.Split('-')[0].ToLowerInvariant(), n) switch
    {
        ("cy", 0) => Zero,
        ("cy", 1) => One,
        ("cy", 2) => Two,
        ("cy", 3) => Few,
        ("cy", 6) => Many,
        ("cy", _) => Other,
        ("ar", 0) => Zero,
        ("ar", 1) => One,
        ("ar", 2) => Two,
        ("ar", _) when n % 100 is >= 3 and <= 10 => Few,
        ("ar", _) when n % 100 is >= 11 and <= 99 => Many,
        ("ar", _) => Other,
        ("fa", 0 or 1) => One,
        (_, 1) => One, // English and the rest we write: one, else other
        _ => Other,
    };

    /// <summary>The categories a language's whole numbers fall into: the forms its words file must have.</summary>
    public static IReadOnlySet<string> CategoriesOf(string language)
        => new[] { 0L, 1, 2, 3, 6, 7, 11, 100, 101 }.Select(n => Category(language, n)).ToHashSet();
}

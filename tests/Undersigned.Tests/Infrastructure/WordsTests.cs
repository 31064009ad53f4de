using Undersigned.Infrastructure;

namespace Undersigned.Tests.Infrastructure;

/// <summary>The pages' words: a language is added by adding a file, so every file must have every key.</summary>
public sealed class WordsTests
{
    [Fact]
    public void Every_language_file_has_the_keys_English_has_each_plural_in_exactly_its_language_s_forms_and_none_is_blank()
    {
        var all = Words.All;
        Assert.Contains("cy", all.Keys);
        // A plural's key ends in its CLDR category; the rest must be the same in every file.
        static bool IsPlural(string key) => key[(key.LastIndexOf('.') + 1)..] is Plurals.Zero or Plurals.One or Plurals.Two or Plurals.Few or Plurals.Many or Plurals.Other;
        static string Base(string key) => key[..key.LastIndexOf('.')];
        var english = all["en"].Keys.ToArray();
        var plurals = english.Where(IsPlural).Select(Base).ToHashSet();
        Assert.Contains("signatures", plurals);
        foreach (var words in all.Values)
        {
            Assert.Equal(english.Where(k => !IsPlural(k)).Order(), words.Keys.Where(k => !IsPlural(k)).Order());
            Assert.Equal(plurals.SelectMany(p => Plurals.CategoriesOf(words.Tag).Select(c => $"{p}.{c}")).Order(), words.Keys.Where(IsPlural).Order());
            Assert.All(words.Keys, key => Assert.False(string.IsNullOrWhiteSpace(words[key]), $"{words.Tag}: {key} is blank"));
        }
    }

    [Theory]
    [InlineData("cy", 0, "zero")]
    [InlineData("cy", 1, "one")]
    [InlineData("cy", 2, "two")]
    [InlineData("cy", 3, "few")]
    [InlineData("cy", 6, "many")]
    [InlineData("cy", 7, "other")]
    [InlineData("cy", 100, "other")]
    [InlineData("en", 0, "other")]
    [InlineData("en", 1, "one")]
    [InlineData("en", 2, "other")]
    [InlineData("ar", 0, "zero")]
    [InlineData("ar", 2, "two")]
    [InlineData("ar", 103, "few")]
    [InlineData("ar", 111, "many")]
    [InlineData("ar", 100, "other")]
    [InlineData("fa", 0, "one")]
    [InlineData("fa", 2, "other")]
    public void Whole_numbers_take_CLDR_s_plural_category(string language, long n, string category)
        => Assert.Equal(category, Plurals.Category(language, n));

    [Fact]
    public void Counts_take_their_language_s_plural_form()
    {
        Assert.Equal("1 signature", Words.All["en"].Plural("card.signatures", 1));
        Assert.Equal("1,234 signatures", Words.All["en"].Plural("card.signatures", 1234));
        Assert.Equal("2 lofnod", Words.All["cy"].Plural("card.signatures", 2)); // soft mutation after two
        Assert.Equal("3 llofnod", Words.All["cy"].Plural("card.signatures", 3));
    }

    [Theory]
    [InlineData("en-GB", "1 May 2027")]
    [InlineData("cy-GB", "1 Mai 2027")]
    [InlineData("ar", "1 مايو 2027")]
    [InlineData("fa", "1 مهٔ 2027")] // the month in its genitive form, as Farsi writes a date
    public void Dates_are_in_the_language_s_words_and_always_on_the_Gregorian_calendar(string culture, string expected)
    {
        // Noon in London on 1 May 2027: .NET alone would write the Arabic in the Hijri calendar and the Farsi in the Persian one.
        var at = new DateTimeOffset(2027, 5, 1, 11, 0, 0, TimeSpan.Zero);
        var written = Words.FormatDate(at, "Europe/London", System.Globalization.CultureInfo.GetCultureInfo(culture));
        Assert.Equal(expected, Digits(written));
        Assert.Equal($"{expected}, 12:00 (Europe/London)",
            Digits(Words.FormatDate(at, "Europe/London", System.Globalization.CultureInfo.GetCultureInfo(culture), withTime: true)));
    }

    /// <summary>Arabic-Indic or Persian digits, where a culture writes them, as ASCII: the calendar is what is tested.</summary>
    static string Digits(string text) => new(text.Select(c => char.IsDigit(c) ? (char)('0' + (int)char.GetNumericValue(c)) : c).ToArray());
}

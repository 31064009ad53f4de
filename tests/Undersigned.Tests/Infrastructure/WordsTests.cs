namespace Undersigned.Tests.Infrastructure;

/// <summary>The pages' words: a language is added by adding a file, so every file must have every key.</summary>
public sealed class WordsTests
{
    [Fact]
    public void Every_language_file_has_exactly_the_keys_English_has_and_none_is_blank()
    {
        var english = Undersigned.Infrastructure.Words.All["en"].Keys.Order().ToArray();
        Assert.Contains("cy", Undersigned.Infrastructure.Words.All.Keys);
        foreach (var words in Undersigned.Infrastructure.Words.All.Values)
        {
            Assert.Equal(english, words.Keys.Order().ToArray());
            Assert.All(english, key => Assert.False(string.IsNullOrWhiteSpace(words[key]), $"{words.Tag}: {key} is blank"));
        }
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
        var written = Undersigned.Infrastructure.Words.FormatDate(at, "Europe/London", System.Globalization.CultureInfo.GetCultureInfo(culture));
        Assert.Equal(expected, Digits(written));
        Assert.Equal($"{expected}, 12:00 (Europe/London)",
            Digits(Undersigned.Infrastructure.Words.FormatDate(at, "Europe/London", System.Globalization.CultureInfo.GetCultureInfo(culture), withTime: true)));
    }

    /// <summary>Arabic-Indic or Persian digits, where a culture writes them, as ASCII: the calendar is what is tested.</summary>
    static string Digits(string text) => new(text.Select(c => char.IsDigit(c) ? (char)('0' + (int)char.GetNumericValue(c)) : c).ToArray());
}

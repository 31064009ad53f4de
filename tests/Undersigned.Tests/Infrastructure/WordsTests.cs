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
}

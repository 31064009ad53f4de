using System.Net;

namespace Undersigned.Tests.Features.Letters;

public sealed class ListTests
{
    [Fact]
    public async Task Pages_through_every_letter_newest_first_once_each()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var created = new List<long>();
        for (var i = 0; i < 5; i++) created.Add((long)(await app.CreateLetterAsync())["id"]!);

        var seen = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await app.Admin().GetAsync($"/api/letters?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}")).JsonAsync();
            seen.AddRange(page["items"]!.AsArray().Select(l => (long)l!["id"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(created.AsEnumerable().Reverse(), seen);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task Refuses_bad_paging(string query, string field)
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        Assert.Equal([field], await (await app.Admin().GetAsync($"/api/letters?{query}")).ProblemAsync(400));
    }
}

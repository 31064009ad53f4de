using System.Net;
using System.Net.Http.Json;

namespace Undersigned.Tests.Features.Letters;

/// <summary>Draft → scheduled → open → closed, publishing, deadline moves and deletion.</summary>
public sealed class LifecycleTests
{
    static string Url(System.Text.Json.Nodes.JsonObject letter) => $"/api/letters/{letter["id"]}";

    [Fact]
    public async Task Follows_the_clock_from_scheduled_to_open_to_closed_with_nothing_running()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var letter = await app.CreateLetterAsync(new
        {
            opensAt = TestApp.Start.AddHours(1).ToString("O"), closesAt = TestApp.Start.AddHours(2).ToString("O"),
        });
        var publish = await app.Admin().PostAsync($"{Url(letter)}/publish", null);
        Assert.Equal("scheduled", (string?)(await publish.JsonAsync())["status"]);

        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("open", (string?)(await (await app.Admin().GetAsync(Url(letter))).JsonAsync())["status"]);

        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("closed", (string?)(await (await app.Admin().GetAsync(Url(letter))).JsonAsync())["status"]);
    }

    [Fact]
    public async Task Publishing_twice_or_after_the_deadline_is_a_conflict()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync();
        await (await app.Admin().PostAsync($"{Url(letter)}/publish", null)).ProblemAsync(409);

        var late = await app.CreateLetterAsync(new { closesAt = TestApp.Start.AddHours(1).ToString("O") });
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(["closesAt"], await (await app.Admin().PostAsync($"{Url(late)}/publish", null)).ProblemAsync(409));
        await (await app.Admin().PostAsync("/api/letters/999999/publish", null)).ProblemAsync(404);
    }

    [Fact]
    public async Task Deadline_moves_and_close_are_kept_in_the_history_with_their_key()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var (staffKey, staffId) = await app.NewKeyAsync();
        var staff = app.WithKey(staffKey);
        var letter = await app.CreatePublishedLetterAsync();
        var first = TestApp.Start.AddDays(30);

        var extended = await staff.PostAsJsonAsync($"{Url(letter)}/deadline", new { closesAt = first.AddDays(7), reason = "Partners asked for a week more" });
        Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
        await staff.PostAsJsonAsync($"{Url(letter)}/deadline", new { closesAt = first.AddDays(3), reason = "Minister meets earlier" });
        app.Clock.Advance(TimeSpan.FromHours(1));
        var closed = await (await staff.PostAsJsonAsync($"{Url(letter)}/close", new { reason = "Delivered early" })).JsonAsync();
        Assert.Equal("closed", (string?)closed["status"]);
        Assert.Equal(TestApp.Start.AddHours(1), DateTimeOffset.Parse((string)closed["closesAt"]!));

        app.Clock.Advance(TimeSpan.FromDays(1));
        var reopened = await (await staff.PostAsJsonAsync($"{Url(letter)}/deadline",
            new { closesAt = TestApp.Start.AddDays(10), reason = "Second round" })).JsonAsync();
        Assert.Equal("open", (string?)reopened["status"]);

        var history = reopened["deadlineHistory"]!.AsArray();
        Assert.Equal(["extended", "shortened", "closed", "reopened"], history.Select(h => (string)h!["change"]!));
        Assert.Equal(["Partners asked for a week more", "Minister meets earlier", "Delivered early", "Second round"],
            history.Select(h => (string)h!["reason"]!));
        Assert.All(history, h => Assert.Equal(staffId, (long)h!["changedBy"]!));
        Assert.Equal(first, DateTimeOffset.Parse((string)history[0]!["oldClosesAt"]!));
        Assert.Equal(first.AddDays(7), DateTimeOffset.Parse((string)history[0]!["newClosesAt"]!));
    }

    [Fact]
    public async Task Deadline_and_close_refuse_what_makes_no_sense()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var draft = await app.CreateLetterAsync();
        await (await app.Admin().PostAsync($"{Url(draft)}/close", null)).ProblemAsync(409);

        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(["closesAt"], await (await app.Admin().PostAsJsonAsync($"{Url(letter)}/deadline",
            new { closesAt = TestApp.Start.AddDays(-1), reason = "oops" })).ProblemAsync(400));
        Assert.Equal(["reason"], await (await app.Admin().PostAsJsonAsync($"{Url(letter)}/deadline",
            new { closesAt = TestApp.Start.AddDays(40) })).ProblemAsync(400));
        Assert.Equal(["closesAt"], await (await app.Admin().PostAsJsonAsync($"{Url(letter)}/deadline",
            new { closesAt = letter["closesAt"]!.ToString(), reason = "same" })).ProblemAsync(409));
        await (await app.Admin().PostAsJsonAsync("/api/letters/999999/deadline",
            new { closesAt = TestApp.Start.AddDays(40), reason = "x" })).ProblemAsync(404);

        await app.Admin().PostAsync($"{Url(letter)}/close", null);
        await (await app.Admin().PostAsync($"{Url(letter)}/close", null)).ProblemAsync(409);
        await (await app.Admin().PostAsync("/api/letters/999999/close", null)).ProblemAsync(404);
    }

    [Fact]
    public async Task Drafts_can_be_deleted_published_letters_cannot()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var draft = await app.CreateLetterAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync(Url(draft))).StatusCode);
        await (await app.Admin().GetAsync(Url(draft))).ProblemAsync(404);
        await (await app.Admin().DeleteAsync(Url(draft))).ProblemAsync(404);

        var published = await app.CreatePublishedLetterAsync();
        await (await app.Admin().DeleteAsync(Url(published))).ProblemAsync(409);
        Assert.Equal(HttpStatusCode.OK, (await app.Admin().GetAsync(Url(published))).StatusCode);
    }
}

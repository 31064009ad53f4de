using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Outcomes;

/// <summary>What came of a letter: recorded by staff, shown publicly, newest first.</summary>
public sealed class OutcomesTests : IAsyncLifetime
{
    readonly TestApp app = new();
    public Task InitializeAsync() => app.InitializeAsync();
    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task An_outcome_shows_in_the_public_letter_and_on_its_page_and_moves_their_versions()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var staff = await app.StaffAsync();
        var url = $"/api/letters/{letter["id"]}/outcomes";
        var publicUrl = $"/api/public/letters/{letter["slug"]}";
        var before = (await app.Anonymous().GetAsync(publicUrl)).Headers.ETag!;

        var delivered = await (await staff.PostAsJsonAsync(url, new
        {
            kind = "delivered", occurredAt = "2026-11-20T10:00:00Z", title = "Delivered to the Home Office", body = "We handed it in **in person**.",
        })).JsonAsync();
        var response = await staff.PostAsJsonAsync(url, new
        {
            kind = "response", occurredAt = "2026-11-22T10:00:00Z", title = "The minister replied", body = "<script>alert(1)</script>A reply.",
            url = "https://example.org/reply",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        var revalidated = await app.Anonymous().SendAsync(new HttpRequestMessage(HttpMethod.Get, publicUrl) { Headers = { IfNoneMatch = { before } } });
        Assert.Equal(HttpStatusCode.OK, revalidated.StatusCode); // an outcome is a change a cache must not keep out
        var outcomes = (await revalidated.JsonAsync())["outcomes"]!.AsArray();
        Assert.Equal(["The minister replied", "Delivered to the Home Office"], outcomes.Select(o => (string)o!["title"]!));
        Assert.DoesNotContain("<script", (string)outcomes[0]!["bodyHtml"]!);
        Assert.Contains("<strong>in person</strong>", (string)outcomes[1]!["bodyHtml"]!);

        var page = await app.Anonymous().GetStringAsync($"/letters/{letter["slug"]}?lang=en");
        Assert.Contains("<h2 id=\"outcomes-heading\">What happened</h2>", page);
        Assert.Contains("<h3>The minister replied</h3>", page);
        Assert.Contains("href=\"https://example.org/reply\"", page);

        var changed = await (await staff.PatchAsJsonAsync($"{url}/{delivered["id"]}", new { title = "Delivered by hand" })).JsonAsync();
        Assert.Equal(("Delivered by hand", "delivered"), ((string)changed["title"]!, (string)changed["kind"]!));
        Assert.Equal(HttpStatusCode.NoContent, (await staff.DeleteAsync($"{url}/{delivered["id"]}")).StatusCode);
        Assert.Equal(["The minister replied"], (await app.Anonymous().PublicLetterAsync(letter))["outcomes"]!.AsArray().Select(o => (string)o!["title"]!));
        await (await staff.DeleteAsync($"{url}/{delivered["id"]}")).ProblemAsync(404);
    }

    [Fact]
    public async Task Outcomes_name_each_bad_field_and_a_draft_has_none()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var staff = await app.StaffAsync();
        Assert.Equal(["kind", "occurredAt", "title", "body"], await (await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/outcomes", new { })).ProblemAsync(400));
        Assert.Equal(["kind", "title", "url"], await (await staff.PostAsJsonAsync($"/api/letters/{letter["id"]}/outcomes",
            new { kind = "won", occurredAt = "2026-11-20T10:00:00Z", title = "", body = "b", url = "javascript:alert(1)" })).ProblemAsync(400));
        var draft = await app.CreateLetterAsync();
        await (await staff.PostAsJsonAsync($"/api/letters/{draft["id"]}/outcomes",
            new { kind = "other", occurredAt = "2026-11-20T10:00:00Z", title = "t", body = "b" })).ProblemAsync(409);
    }
}

using System.Net;

namespace Undersigned.Tests.Features.Letters;

public sealed class UpdateTests(TestApp app) : IClassFixture<TestApp>
{
    static string Url(System.Text.Json.Nodes.JsonObject letter) => $"/api/letters/{letter["id"]}";

    async Task<string> EtagAsync(System.Text.Json.Nodes.JsonObject letter)
        => (await app.Admin().GetAsync(Url(letter))).Headers.ETag!.Tag;

    [Fact]
    public async Task Two_edits_from_the_same_read_one_wins_one_gets_412()
    {
        var letter = await app.CreateLetterAsync();
        var etag = await EtagAsync(letter);

        var first = await app.Admin().PatchJsonAsync(Url(letter), new { title = "First edit" }, etag);
        var second = await app.Admin().PatchJsonAsync(Url(letter), new { title = "Second edit" }, etag);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.NotEqual(etag, first.Headers.ETag!.Tag);
        await second.ProblemAsync(412);
        Assert.Equal("First edit", (string?)(await (await app.Admin().GetAsync(Url(letter))).JsonAsync())["title"]);
    }

    [Fact]
    public async Task Concurrent_edits_with_one_etag_let_exactly_one_through()
    {
        var letter = await app.CreateLetterAsync();
        var etag = await EtagAsync(letter);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            app.Admin().PatchJsonAsync(Url(letter), new { target = $"Minister {i}" }, etag)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
    }

    [Fact]
    public async Task Without_if_match_is_428()
    {
        var letter = await app.CreateLetterAsync();
        await (await app.Admin().PatchJsonAsync(Url(letter), new { title = "x" }, null)).ProblemAsync(428);
    }

    [Fact]
    public async Task Null_clears_optional_fields_back_to_their_defaults_and_absent_leaves_them()
    {
        var letter = await app.CreateLetterAsync(new
        {
            opensAt = TestApp.Start.AddDays(1).ToString("O"), timeZone = "Europe/Berlin",
            allowedOrigins = new[] { "https://partner.org" }, retainContactDays = 30, consentText = "Custom consent",
        });

        var response = await app.Admin().PatchJsonAsync(Url(letter),
            new { opensAt = (string?)null, timeZone = (string?)null, allowedOrigins = (string[]?)null, consentText = (string?)null },
            await EtagAsync(letter));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.JsonAsync();
        Assert.Null(patched["opensAt"]);
        Assert.Equal("Europe/London", (string?)patched["timeZone"]);
        Assert.Empty(patched["allowedOrigins"]!.AsArray());
        Assert.NotEqual("Custom consent", (string?)patched["consentText"]);
        Assert.Equal(30, (int)patched["retainContactDays"]!);
        Assert.Equal((string?)letter["title"], (string?)patched["title"]);
    }

    [Fact]
    public async Task Clearing_a_required_field_or_naming_an_unknown_one_is_400_and_changes_nothing()
    {
        var letter = await app.CreateLetterAsync();
        var etag = await EtagAsync(letter);

        Assert.Equal(["title"], await (await app.Admin().PatchJsonAsync(Url(letter), new { title = (string?)null }, etag)).ProblemAsync(400));
        Assert.Equal(["status"], await (await app.Admin().PatchJsonAsync(Url(letter), new { status = "open" }, etag)).ProblemAsync(400));
        Assert.Equal(["closesAt"], await (await app.Admin().PatchJsonAsync(Url(letter), new { closesAt = 5 }, etag)).ProblemAsync(400));
        Assert.Equal(["timeZone"], await (await app.Admin().PatchJsonAsync(Url(letter), new { timeZone = "Nowhere" }, etag)).ProblemAsync(400));
        Assert.Equal(etag, await EtagAsync(letter));
    }

    [Fact]
    public async Task Only_json_bodies_are_read()
    {
        var letter = await app.CreateLetterAsync();
        var request = new HttpRequestMessage(HttpMethod.Patch, Url(letter)) { Content = new StringContent("title=x") };
        request.Content.Headers.ContentType = new("application/x-www-form-urlencoded");
        request.Headers.TryAddWithoutValidation("If-Match", await EtagAsync(letter));
        await (await app.Admin().SendAsync(request)).ProblemAsync(415);
    }

    [Fact]
    public async Task Slug_and_moderation_change_while_draft_only()
    {
        var letter = await app.CreateLetterAsync();
        var draftEdit = await app.Admin().PatchJsonAsync(Url(letter), new { slug = $"renamed-{letter["id"]}", moderation = "all" }, await EtagAsync(letter));
        Assert.Equal(HttpStatusCode.OK, draftEdit.StatusCode);
        Assert.Equal("all", (string?)(await draftEdit.JsonAsync())["moderation"]);

        await app.Admin().PostAsync($"{Url(letter)}/publish", null);
        Assert.Equal(["slug"], await (await app.Admin().PatchJsonAsync(Url(letter), new { slug = "another" }, await EtagAsync(letter))).ProblemAsync(409));
        Assert.Equal(["moderation"], await (await app.Admin().PatchJsonAsync(Url(letter), new { moderation = "none" }, await EtagAsync(letter))).ProblemAsync(409));
        Assert.Equal(["closesAt"], await (await app.Admin().PatchJsonAsync(Url(letter),
            new { closesAt = TestApp.Start.AddDays(60).ToString("O") }, await EtagAsync(letter))).ProblemAsync(409));
    }

    [Fact]
    public async Task Published_text_changes_make_new_text_versions_and_other_changes_do_not()
    {
        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(1, (int)letter["textVersion"]!);

        var retitled = await (await app.Admin().PatchJsonAsync(Url(letter), new { title = "A sharper title" }, await EtagAsync(letter))).JsonAsync();
        Assert.Equal(2, (int)retitled["textVersion"]!);
        var versions = retitled["textVersions"]!.AsArray();
        Assert.Equal([1, 2], versions.Select(v => (int)v!["version"]!));
        Assert.NotEqual((string?)versions[0]!["sha256"], (string?)versions[1]!["sha256"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)versions[1]!["sha256"]);

        var recoloured = await (await app.Admin().PatchJsonAsync(Url(letter), new { retainContactDays = 120 }, await EtagAsync(letter))).JsonAsync();
        Assert.Equal(2, (int)recoloured["textVersion"]!);
    }

    [Fact]
    public async Task Unknown_letter_is_404()
        => await (await app.Admin().PatchJsonAsync("/api/letters/999999", new { title = "x" }, "\"1\"")).ProblemAsync(404);
}

using System.Net;
using System.Net.Http.Json;

namespace Undersigned.Tests.Features.Signatures;

/// <summary>Staff's list of a letter's signatures: search by name or organisation.</summary>
public sealed class ListTests : IAsyncLifetime
{
    readonly TestApp app = new();
    public Task InitializeAsync() => app.InitializeAsync();
    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task Q_finds_names_and_organisations_containing_it_whatever_the_case_and_wildcards_are_only_text()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var admin = app.Admin();
        foreach (var (kind, name, organisation) in new[]
        {
            ("individual", "Jane Roe", (string?)null), ("organisation", "Sam Contact", "Roe Trust"),
            ("individual", "Amal Haddad", "Migrant Voice"), ("individual", "100% Sure_Name", null),
        })
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
                new { kind, name, organisation, showName = true })).StatusCode);

        async Task<string[]> SearchAsync(string q) => (await (await admin.GetAsync($"/api/letters/{letter["id"]}/signatures?q={Uri.EscapeDataString(q)}")).JsonAsync())
            ["items"]!.AsArray().Select(s => (string)s!["display"]!).ToArray();

        Assert.Equal(["Roe Trust", "Jane Roe"], await SearchAsync("ROE"));
        Assert.Equal(["Amal Haddad (Migrant Voice)"], await SearchAsync("voice"));
        Assert.Equal(["100% Sure_Name"], await SearchAsync("%"));
        Assert.Equal(["100% Sure_Name"], await SearchAsync("_"));
        Assert.Equal(4, (await SearchAsync(" ")).Length); // blank is no filter
        Assert.Equal(["q"], await (await admin.GetAsync($"/api/letters/{letter["id"]}/signatures?q={new string('x', 201)}")).ProblemAsync(400));
    }
}

using System.Text.Json.Nodes;

namespace Undersigned.Tests;

/// <summary>
/// The committed openapi/openapi.json is the live document. To regenerate it after changing endpoints:
/// <c>UPDATE_OPENAPI=1 dotnet test --filter OpenApiTests</c>.
/// </summary>
public sealed class OpenApiTests(TestApp app) : IClassFixture<TestApp>
{
    static string CommittedPath([System.Runtime.CompilerServices.CallerFilePath] string here = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../openapi/openapi.json"));

    [Fact]
    public async Task The_committed_document_matches_the_code()
    {
        var live = (await app.Anonymous().GetStringAsync("/swagger/v1/swagger.json")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(CommittedPath(), live);

        var committed = File.Exists(CommittedPath()) ? await File.ReadAllTextAsync(CommittedPath()) : "";
        Assert.True(committed == live,
            "openapi/openapi.json differs from the code's document. Regenerate it: UPDATE_OPENAPI=1 dotnet test --filter OpenApiTests");
    }

    [Fact]
    public async Task Every_operation_is_described_and_route_parameters_are_declared()
    {
        var document = JsonNode.Parse(await app.Anonymous().GetStringAsync("/swagger/v1/swagger.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            Assert.False(string.IsNullOrEmpty((string?)operation!["summary"]), $"{method} {path} has no summary");
            Assert.NotEmpty(operation["tags"]!.AsArray());
            if (path.Contains("{id}"))
                Assert.Contains(operation["parameters"]!.AsArray(), p => (string)p!["name"]! == "id" && (string)p["in"]! == "path");
        }
    }

    [Fact]
    public async Task Every_route_that_reads_a_body_declares_413_and_415()
    {
        var document = JsonNode.Parse(await app.Anonymous().GetStringAsync("/swagger/v1/swagger.json"))!;
        foreach (var (path, item) in document["paths"]!.AsObject())
        foreach (var (method, operation) in item!.AsObject())
        {
            if (operation!["requestBody"] is null) continue;
            Assert.True(operation["responses"]!["413"] is not null, $"{method} {path} does not declare 413");
            Assert.True(operation["responses"]!["415"] is not null, $"{method} {path} does not declare 415");
        }
    }
}

using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace Undersigned.Tests.Docs;

/// <summary>
/// docs/contract.md against the code: its route table is generated from the committed OpenAPI document (which
/// OpenApiTests keeps equal to the live one), and every setting the code binds is in its configuration table. After
/// changing routes: <c>UPDATE_CONTRACT=1 dotnet test --filter ContractTests</c>.
/// </summary>
public sealed class ContractTests
{
    const string Start = "<!-- generated from openapi/openapi.json by ContractTests: UPDATE_CONTRACT=1 dotnet test --filter ContractTests -->";
    const string End = "<!-- end of generated routes -->";

    static string Repository([System.Runtime.CompilerServices.CallerFilePath] string here = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../.."));

    static string ContractPath => Path.Combine(Repository(), "docs/contract.md");

    [Fact]
    public async Task The_route_table_is_every_operation_of_the_OpenAPI_document()
    {
        var document = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Repository(), "openapi/openapi.json")))!;
        var table = new StringBuilder("| route | does |\n|---|---|\n");
        foreach (var (path, item) in document["paths"]!.AsObject().OrderBy(p => p.Key, StringComparer.Ordinal))
        foreach (var (method, operation) in item!.AsObject())
            table.Append($"| `{method.ToUpperInvariant()} {path}` | {((string?)operation!["summary"])?.Replace("|", "\\|")} |\n");

        var contract = await File.ReadAllTextAsync(ContractPath);
        var (from, to) = (contract.IndexOf(Start, StringComparison.Ordinal), contract.IndexOf(End, StringComparison.Ordinal));
        Assert.True(from >= 0 && to > from, "docs/contract.md has lost the markers of its generated route table.");
        var generated = Start + "\n" + table + End;
        if (Environment.GetEnvironmentVariable("UPDATE_CONTRACT") == "1")
        {
            contract = contract[..from] + generated + contract[(to + End.Length)..];
            await File.WriteAllTextAsync(ContractPath, contract);
        }
        Assert.True(contract[from..(contract.IndexOf(End, StringComparison.Ordinal) + End.Length)] == generated,
            "docs/contract.md's route table differs from openapi/openapi.json. Regenerate it: UPDATE_CONTRACT=1 dotnet test --filter ContractTests");
    }

    /// <summary>Each settings class and the section it is bound to (Hosting.AddSettings calls beside each area).</summary>
    static readonly Dictionary<Type, string> Sections = new()
    {
        [typeof(Undersigned.Infrastructure.Settings)] = "Undersigned",
        [typeof(Undersigned.Infrastructure.OrganisationSettings)] = "Undersigned__Organisation",
        [typeof(Undersigned.Services.Mail.SmtpSettings)] = "Undersigned__Smtp",
        [typeof(Undersigned.Services.Mail.MailSettings)] = "Undersigned__Mail",
        [typeof(Undersigned.Services.Abuse.RateLimitSettings)] = "Undersigned__RateLimits",
        [typeof(Undersigned.Services.Webhooks.WebhookSettings)] = "Undersigned__Webhooks",
    };

    [Fact]
    public async Task Every_setting_the_code_binds_is_in_the_configuration_table()
    {
        var settingsClasses = typeof(Program).Assembly.GetTypes().Where(t => t.Name.EndsWith("Settings") && t.IsClass && !t.IsAbstract);
        Assert.All(settingsClasses, t => Assert.True(Sections.ContainsKey(t), $"{t.Name} is not listed here with its section"));

        var contract = await File.ReadAllTextAsync(ContractPath);
        var names = Sections.SelectMany(s => Variables(s.Key, s.Value))
            .Concat(["ConnectionStrings__Undersigned", "Undersigned__Metrics__Enabled", "Undersigned__DisposableDomainsFile"]).ToList();
        var missing = names.Where(n => !contract.Contains($"`{n}", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"docs/contract.md does not document: {string.Join(", ", missing)}");
    }

    /// <summary>The environment variables a settings class binds: a nested class's by their common prefix (<c>…__Signing__</c>).</summary>
    static IEnumerable<string> Variables(Type type, string prefix)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p =>
            p.PropertyType.IsClass && p.PropertyType != typeof(string) ? $"{prefix}__{p.Name}__" : $"{prefix}__{p.Name}");
}

using System.Text.RegularExpressions;

namespace Undersigned.Tests.Architecture;

/// <summary>Rules about the service's source that the compiler cannot see: where status changes are written, how long a file may grow.</summary>
public sealed partial class SourceTests
{
    static string Source([System.Runtime.CompilerServices.CallerFilePath] string here = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../../src/Undersigned"));

    static IEnumerable<string> Files() => Directory.EnumerateFiles(Source(), "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));

    static string Relative(string file) => Path.GetRelativePath(Source(), file);

    [Fact]
    public void Only_MoveAsync_and_the_insert_paths_write_a_signature_s_status()
    {
        var updates = new List<string>();
        var inserts = new List<string>();
        foreach (var file in Files())
        {
            var text = File.ReadAllText(file);
            updates.AddRange(StatusUpdate().Matches(text).Select(_ => Relative(file)));
            inserts.AddRange(Insert().Matches(text).Select(_ => Relative(file)));
        }
        // MoveAsync's one UPDATE, which every move goes through (it checks the move allows the change).
        Assert.Equal(["Domain/Signatures/SignaturesStore.cs"], updates);
        Assert.Contains("SignatureMove move", File.ReadAllText(Path.Combine(Source(), "Domain/Signatures/SignaturesStore.cs")));
        // The insert paths: one at a time (a signer, or nobody to mail) and the writer's set path.
        Assert.Equal(["Domain/Signatures/SignaturesStore.Set.cs", "Domain/Signatures/SignaturesStore.cs", "Domain/Signatures/SignaturesStore.cs"], inserts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_file_over_300_lines_says_first_why_it_is_long()
    {
        var long_ = Files().Where(f => File.ReadLines(f).Count() > 300 && !File.ReadLines(f).First().StartsWith("// Why this is long:"))
            .Select(Relative).ToList();
        Assert.True(long_.Count == 0, $"Over 300 lines with no '// Why this is long:' first line: {string.Join(", ", long_)}. Cut it along its seams, or say why not.");
    }

    [Fact]
    public void The_rules_read_the_service_s_source() => Assert.Contains(Files(), f => f.EndsWith("Program.cs"));

    // A status set, not one tested in WHERE.
    [GeneratedRegex(@"UPDATE\s+signatures\s+SET(?:(?!\bWHERE\b)[^;""])*?\bstatus\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StatusUpdate();

    [GeneratedRegex(@"INSERT\s+INTO\s+signatures\b", RegexOptions.IgnoreCase)]
    private static partial Regex Insert();
}

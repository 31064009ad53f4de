namespace Undersigned.Tests.Docs;

/// <summary>README and docs/ render as written: every table has as many cells in each row as in its header.</summary>
public sealed class MarkdownTests
{
    static string Repository([System.Runtime.CompilerServices.CallerFilePath] string here = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "../../.."));

    public static TheoryData<string> Documents()
        => [.. Directory.EnumerateFiles(Path.Combine(Repository(), "docs"), "*.md").Prepend(Path.Combine(Repository(), "README.md"))
            .Select(f => Path.GetRelativePath(Repository(), f))];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_table_row_has_its_header_s_cells(string document)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository(), document));
        var bad = new List<string>();
        var inCode = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimStart().StartsWith("```")) inCode = !inCode;
            if (inCode || !IsRow(lines[i]) || i + 1 >= lines.Length || !IsDelimiter(lines[i + 1]) || (i > 0 && IsRow(lines[i - 1]))) continue;
            var width = Cells(lines[i]);
            if (Cells(lines[i + 1]) != width) bad.Add($"line {i + 2}: the delimiter row has {Cells(lines[i + 1])} cells, the header {width}");
            for (var j = i + 2; j < lines.Length && IsRow(lines[j]); j++)
                if (Cells(lines[j]) != width) bad.Add($"line {j + 1}: {Cells(lines[j])} cells, the header {width}");
        }
        Assert.True(bad.Count == 0, $"{document}: {string.Join("; ", bad)}");
    }

    [Fact]
    public void The_check_finds_the_README_s_tables() => Assert.Contains(File.ReadAllLines(Path.Combine(Repository(), "README.md")), IsDelimiter);

    static bool IsRow(string line) => line.StartsWith('|');
    static bool IsDelimiter(string line) => line.StartsWith("|-") || line.StartsWith("|:") || line.StartsWith("| -");

    /// <summary>Cells between unescaped pipes, as GitHub counts them: a pipe splits cells even inside a code span.</summary>
    static int Cells(string row)
    {
        var cells = 0;
        for (var i = 0; i < row.Length; i++)
        {
            if (row[i] == '\\') i++;
            else if (row[i] == '|') cells++;
        }
        return row.TrimEnd().EndsWith('|') ? cells - 1 : cells;
    }
}

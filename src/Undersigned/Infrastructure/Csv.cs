namespace Undersigned.Infrastructure;

/// <summary>CSV as spreadsheets open it safely: RFC 4180 quoting, and no cell a spreadsheet would run as a formula.</summary>
public static class Csv
{
    /// <summary>RFC 4180: every field quoted, quotes doubled, the line ended with CRLF.</summary>
    public static string Row(IEnumerable<string?> fields) => string.Join(',', fields.Select(f => $"\"{Inert(f ?? "").Replace("\"", "\"\"")}\"")) + "\r\n";

    public static Task WriteRowAsync(TextWriter writer, IEnumerable<string?> fields) => writer.WriteAsync(Row(fields));

    /// <summary>A spreadsheet runs a cell that starts with =, +, -, @, tab or CR as a formula; a leading apostrophe keeps it text.</summary>
    public static string Inert(string field) => field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + field : field;
}

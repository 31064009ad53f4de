namespace Undersigned.Infrastructure;

/// <summary>
/// Every withdrawal, erasure and purge, as ids only (<c>signature 123</c>, <c>letter 4</c>), appended to a file beside
/// the database (owner-only) before the change commits. A backup restored later is made to forget them again at start-up
/// (ErasureReplay), so restoring never brings back someone who asked to go.
/// </summary>
public sealed class ErasureRecord(Db db, Settings settings)
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    readonly Lock writing = new();

    /// <summary>Beside the SQLite file (copy it with the database's backups); with PostgreSQL, in the data folder.</summary>
    public string Path => db.SqliteFile is { } file ? file + ".erasures" : System.IO.Path.Combine(settings.DataDirectory, "erasures");

    public void Signature(long id) => Append($"signature {id}");

    public void Letter(long id) => Append($"letter {id}");

    void Append(string line)
    {
        lock (writing)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!);
            using var file = new FileStream(Path, new FileStreamOptions
            {
                Mode = FileMode.Append, Access = FileAccess.Write, UnixCreateMode = OperatingSystem.IsWindows() ? null : OwnerOnly,
            });
            file.Write(System.Text.Encoding.ASCII.GetBytes(line + "\n"));
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>What was recorded: signature ids and letter ids.</summary>
    public (HashSet<long> Signatures, HashSet<long> Letters) Read()
    {
        var (signatures, letters) = (new HashSet<long>(), new HashSet<long>());
        if (!File.Exists(Path)) return (signatures, letters);
        foreach (var line in File.ReadLines(Path))
            if (line.Split(' ') is [var kind, var number] && long.TryParse(number, out var id))
                (kind == "letter" ? letters : signatures).Add(id);
        return (signatures, letters);
    }
}

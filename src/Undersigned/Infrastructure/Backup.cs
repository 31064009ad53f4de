using Dapper;

namespace Undersigned.Infrastructure;

/// <summary>
/// <c>dotnet Undersigned.dll backup FILE</c>: a consistent copy of the SQLite database while the service runs
/// (<c>VACUUM INTO</c> reads one snapshot; writers carry on meanwhile), owner-only. The erasure record beside the
/// database belongs with it (<see cref="ErasureRecord"/>): copy it too, and keep it newer than the copy.
/// </summary>
public static class Backup
{
    public static async Task<int> RunAsync(Db db, string file)
    {
        if (db.SqliteFile is null)
        {
            await Console.Error.WriteLineAsync("backup copies a SQLite database; with PostgreSQL use pg_dump (docs/operations.md, Backups).");
            return 2;
        }
        var target = Path.GetFullPath(file);
        if (File.Exists(target) && new FileInfo(target).Length > 0)
        {
            await Console.Error.WriteLineAsync($"backup: {target} exists already; give a new file.");
            return 2;
        }
        // Made owner-only before SQLite writes to it: the copy holds every signer's name and sealed address.
        new FileStream(target, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate, Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }).Dispose();
        await using var connection = await db.OpenReadAsync();
        await connection.ExecuteAsync("VACUUM INTO @target", new { target });
        await using (var copy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False"))
        {
            await copy.OpenAsync();
            if (await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check") != "ok")
            {
                await Console.Error.WriteLineAsync($"backup: the copy at {target} failed its integrity check; it was not kept.");
                File.Delete(target);
                return 1;
            }
        }
        Console.WriteLine($"Backed up to {target}. Keep the data key (apart from it) and the erasure record beside the database with it.");
        return 0;
    }
}

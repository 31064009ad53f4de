using System.Data.Common;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Undersigned.Tests;

/// <summary>
/// The database a test's service uses, on the engine this test project runs: SQLite (a file in the test's folder) in
/// Undersigned.Tests, PostgreSQL (a database per test folder on a private cluster) in Undersigned.Tests.Postgres.
/// </summary>
public static class TestDatabase
{
#if POSTGRES
    public static readonly bool Postgres = true;
#else
    public static readonly bool Postgres = false;
#endif

    /// <summary>
    /// The service key every test service uses on PostgreSQL, where it is required (instances must share it). On SQLite
    /// none is set: the service generates one into the test's folder, as it does for a new deployment.
    /// </summary>
    public static Dictionary<string, string?> KeySettings => Postgres ? new() { ["Undersigned:DataKey"] = Convert.ToBase64String(new byte[32]) } : [];

    public static async Task<string> ConnectionStringForAsync(string dataDirectory)
        => Postgres ? await PostgresCluster.DatabaseAsync(NameFor(dataDirectory))
            : $"Data Source={Path.Combine(dataDirectory, "undersigned.db")}";

    /// <summary>A restart on the same folder finds the same database.</summary>
    static string NameFor(string dataDirectory)
        => "t_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..24];

    public static async Task<DbConnection> OpenAsync(string dataDirectory)
    {
        DbConnection connection = Postgres ? new NpgsqlConnection(await ConnectionStringForAsync(dataDirectory))
            : new SqliteConnection(await ConnectionStringForAsync(dataDirectory));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// Fails when the counts the database keeps beside the signatures (per letter, status, kind and shown name, and the
    /// confirmed per hour) differ from counting the signatures themselves: run as every test's service stops, on both engines.
    /// </summary>
    public static async Task AssertCountsMatchSignaturesAsync(string connectionString)
    {
        await using DbConnection connection = Postgres ? new NpgsqlConnection(connectionString) : new SqliteConnection(connectionString);
        await connection.OpenAsync();
        static string Rows(IEnumerable<(long, string, string, bool, long)> rows) => string.Join("\n", rows.Order());
        var kept = await connection.QueryAsync<(long, string, string, bool, long)>("""
            SELECT letter_id, status, kind, show_name, sum(count) FROM signature_counts GROUP BY letter_id, status, kind, show_name HAVING sum(count) <> 0
            """);
        var counted = await connection.QueryAsync<(long, string, string, bool, long)>(
            "SELECT letter_id, status, kind, show_name, count(*) FROM signatures GROUP BY letter_id, status, kind, show_name");
        Assert.Equal(Rows(counted), Rows(kept));
        var hours = await connection.QueryAsync<(long, long, long)>(
            "SELECT letter_id, hour, sum(confirmed) FROM signature_hours GROUP BY letter_id, hour HAVING sum(confirmed) <> 0");
        var confirmed = await connection.QueryAsync<(long, long, long)>("""
            SELECT letter_id, COALESCE(decided_at, confirmed_at, signed_at) / 3600000 * 3600000, count(*) FROM signatures
            WHERE status = 'confirmed' GROUP BY letter_id, COALESCE(decided_at, confirmed_at, signed_at) / 3600000 * 3600000
            """);
        Assert.Equal(string.Join("\n", confirmed.Order()), string.Join("\n", hours.Order()));
    }

    /// <summary>
    /// Whether the stored bytes hold this text anywhere. SQLite: the database file and its WAL, checkpointed, free pages
    /// included (erased values must be overwritten, not just unlinked). PostgreSQL: every table's contents as pg_dump
    /// writes them, bytea columns as hex, so a value stored in either form is found.
    /// </summary>
    public static async Task<bool> StoresAsync(string dataDirectory, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        if (Postgres)
        {
            var dump = await PostgresCluster.DumpAsync(NameFor(dataDirectory));
            return dump.AsSpan().IndexOf(needle) >= 0 || dump.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(needle))) >= 0;
        }
        var path = Path.Combine(dataDirectory, "undersigned.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
            await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        SqliteConnection.ClearAllPools();
        return new[] { path, path + "-wal" }.Where(File.Exists).Any(file => File.ReadAllBytes(file).AsSpan().IndexOf(needle) >= 0);
    }

    /// <summary>Holds the database's write lock (SQLite) or the signatures table (PostgreSQL) until disposed: writers wait.</summary>
    public static async Task<IAsyncDisposable> HoldLockAsync(string dataDirectory)
    {
        var connection = await OpenAsync(dataDirectory);
        var tx = await connection.BeginTransactionAsync(); // SQLite: BEGIN IMMEDIATE
        if (Postgres) await connection.ExecuteAsync("LOCK TABLE signatures IN ACCESS EXCLUSIVE MODE", transaction: tx);
        return new Held(connection, tx);
    }

    /// <summary>
    /// PostgreSQL: ends every connection the service holds to its database, as a database restart or failover does.
    /// </summary>
    public static async Task DisconnectServiceAsync(string dataDirectory)
    {
        await using var connection = await OpenAsync(dataDirectory);
        await connection.ExecuteAsync("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    }

    sealed class Held(DbConnection connection, DbTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}

/// <summary>
/// A private PostgreSQL cluster for the test run, as STACK-NOTES describes: initdb into a temporary folder owned by the
/// postgres user, its own port and socket folder (never 5432, never a system cluster), stopped and removed when the run
/// ends. A machine without PostgreSQL fails loudly: tests/setup.sh installs it.
/// </summary>
public static class PostgresCluster
{
    static readonly Lazy<Task<(string Folder, int Port, string Bin)>> Cluster = new(StartAsync);
    static readonly SemaphoreSlim Creating = new(1, 1);

    public static async Task<string> DatabaseAsync(string name)
    {
        var (folder, port, _) = await Cluster.Value;
        await Creating.WaitAsync();
        try
        {
            await using var admin = new NpgsqlConnection(ConnectionString(folder, port, "postgres"));
            await admin.OpenAsync();
            if (!await admin.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @name)", new { name }))
                await admin.ExecuteAsync($"CREATE DATABASE {name}");
        }
        finally
        {
            Creating.Release();
        }
        return ConnectionString(folder, port, name);
    }

    static string ConnectionString(string folder, int port, string database)
        => $"Host=127.0.0.1;Port={port};Database={database};Username=postgres;Maximum Pool Size=20";

    public static async Task<byte[]> DumpAsync(string database)
    {
        var (folder, port, bin) = await Cluster.Value;
        var dump = new ProcessStartInfo(Path.Combine(bin, "pg_dump"), ["-h", folder, "-p", port.ToString(), "-U", "postgres", "--data-only", database])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(dump)!;
        var output = new MemoryStream();
        await process.StandardOutput.BaseStream.CopyToAsync(output);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException("pg_dump failed: " + await process.StandardError.ReadToEndAsync());
        return output.ToArray();
    }

    static async Task<(string Folder, int Port, string Bin)> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(Directory.Exists).OrderDescending().FirstOrDefault()
            : null;
        if (bin is null) throw new InvalidOperationException("PostgreSQL is not installed, and Undersigned.Tests.Postgres runs every test on it: run tests/setup.sh.");

        var folder = Directory.CreateTempSubdirectory("undersigned-pg-").FullName;
        var port = FreePort();
        // initdb and the server refuse to run as root: as root, run them as the postgres user, in a folder it owns.
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", folder]);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"], asRoot);
        // Durability is not under test here (the crash test kills the service, not PostgreSQL): skip fsync for speed.
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-w", "-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000 -c shared_buffers=64MB",
            "start"], asRoot);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", Path.Combine(folder, "data"), "-m", "immediate", "stop"], asRoot).GetAwaiter().GetResult();
            Directory.Delete(folder, recursive: true);
        };
        return (folder, port, bin);
    }

    static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
    {
        var start = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments]) : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await output}{await errors}");
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Undersigned.Infrastructure;

public enum Engine { Sqlite, Postgres }

/// <summary>
/// Opens connections configured the same way everywhere, to the engine the connection string names: <c>Data Source=…</c>
/// is SQLite (the embedded default), <c>Host=…</c> is PostgreSQL. Only stores (Domain/) and the migrator call it.
/// </summary>
public sealed class Db : IAsyncDisposable
{
    readonly string? sqlite;
    readonly NpgsqlDataSource? postgres;

    public Engine Engine { get; }

    /// <summary>The SQLite database file; null on PostgreSQL (or an in-memory database).</summary>
    public string? SqliteFile { get; }

    public Db(string connectionString, ILogger? log = null)
    {
        DbConnectionStringBuilder keys;
        try
        {
            keys = new DbConnectionStringBuilder { ConnectionString = connectionString };
            if (!keys.ContainsKey("Host") && !keys.ContainsKey("Server")) _ = new SqliteConnectionStringBuilder(connectionString);
            else _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // The string may hold a password: only what is wrong with it is said.
            throw new StartupException($"ConnectionStrings__Undersigned is not a valid connection string ({e.Message.Split('\n')[0].Trim()}).");
        }
        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            Engine = Engine.Postgres;
            // Statements the writer repeats are prepared once per connection, unless the operator chose otherwise.
            var npgsql = new NpgsqlConnectionStringBuilder(connectionString);
            if (!keys.ContainsKey("Max Auto Prepare")) npgsql.MaxAutoPrepare = 32;
            postgres = NpgsqlDataSource.Create(npgsql.ConnectionString);
            return;
        }
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, Pooling = true };
        if (builder.Mode != SqliteOpenMode.Memory && builder.DataSource is { Length: > 0 } file)
        {
            SqliteFile = Path.GetFullPath(file);
            OwnerOnly(SqliteFile, log);
        }
        sqlite = builder.ToString();
    }

    const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The database holds every signer's name, hidden ones too: its folder is the service's user's only (0700) and the
    /// file is made 0600 before SQLite first opens it (its -wal and -shm take the file's mode). A folder the service may
    /// not change (not its own, such as a mounted volume) is left as it is, with one warning.
    /// </summary>
    static void OwnerOnly(string path, ILogger? log)
    {
        if (OperatingSystem.IsWindows()) return;
        var directory = Path.GetDirectoryName(path)!;
        var folder = Directory.CreateDirectory(directory, ReadWrite | UnixFileMode.UserExecute);
        var open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((folder.UnixFileMode & open) != 0)
        {
            try
            {
                File.SetUnixFileMode(directory, folder.UnixFileMode & ~open);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                log?.LogWarning("The database folder {Folder} can be read by other users and is not this service's to tighten: " +
                                "make it readable by the service's user only (chmod 700)", directory);
            }
        }
        if (!File.Exists(path)) new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = ReadWrite }).Dispose();
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
            if ((File.GetUnixFileMode(file) & open) != 0) File.SetUnixFileMode(file, ReadWrite);
    }

    static Db()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        // Instants are stored as Unix milliseconds so SQL can compare them.
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset));
        SqlMapper.RemoveTypeMap(typeof(DateTimeOffset?));
        SqlMapper.AddTypeHandler(new UnixMillisecondsHandler());
    }

    /// <summary>For paths that only read (public reads, key checks): skips the per-connection set-up that writes need.</summary>
    public async Task<DbConnection> OpenReadAsync(CancellationToken ct = default)
    {
        if (postgres is not null) return await postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(sqlite);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = await OpenReadAsync(ct);
        // SQLite: erased personal data must not linger in free pages of the file (secure_delete is per connection).
        // Microsoft.Data.Sqlite retries a busy database until the command timeout (30 s), so no busy_timeout is needed.
        if (Engine == Engine.Sqlite) await connection.ExecuteAsync("PRAGMA secure_delete = ON");
        return connection;
    }

    /// <summary>
    /// A long-lived connection for the signature writer. synchronous FULL: a signature answered 202 must survive a power
    /// cut, not only a crash of the process. A large page cache: the writer's indexes are keyed by hashes, so its inserts
    /// touch pages all over the file.
    /// </summary>
    public async Task<DbConnection> OpenForBatchesAsync(CancellationToken ct)
    {
        var connection = await OpenAsync(ct);
        if (Engine == Engine.Sqlite)
        {
            await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536");
            StatementCache.Attach((SqliteConnection)connection);
        }
        return connection;
    }

    /// <summary>
    /// "column is one of the list @parameter holds": SQLite takes Dapper's expansion into <c>IN (@p1, @p2, …)</c>; Dapper
    /// hands PostgreSQL the list as one array, which <c>= ANY</c> reads.
    /// </summary>
    public string In(string column, string parameter) => Engine == Engine.Postgres ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>Throws when the database does not answer, or was never migrated.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations");
    }

    /// <summary>PostgreSQL: drops idle pooled connections, which a database restart or failover leaves dead.</summary>
    public void ForgetIdleConnections() => postgres?.Clear();

    /// <summary>A write transaction on a connection of its own.</summary>
    public async Task<WriteTransaction> BeginWriteAsync(CancellationToken ct = default)
        => await WriteTransaction.BeginAsync(await OpenAsync(ct), ownsConnection: true, ct);

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null) await postgres.DisposeAsync();
    }

    sealed class UnixMillisecondsHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.DbType = DbType.Int64;
            parameter.Value = value.ToUnixTimeMilliseconds();
        }

        public override DateTimeOffset Parse(object value) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value));
    }
}

/// <summary>
/// One write transaction, passed from store to store so one change spans aggregates (a signature, its outbox row, its
/// audit entry). Stores register what must follow a commit (forgetting a cached letter), so no caller has to remember.
/// </summary>
public sealed class WriteTransaction : IAsyncDisposable
{
    readonly bool ownsConnection;
    readonly List<Action> afterCommit = [];
    readonly Dictionary<string, Func<Task>> beforeCommit = [];

    readonly StatementCache? statements;

    WriteTransaction(DbConnection connection, DbTransaction transaction, bool ownsConnection)
        => (Connection, Transaction, this.ownsConnection, statements) = (connection, transaction, ownsConnection, StatementCache.For(connection));

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }

    /// <summary>
    /// SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default), the write lock taken up front, so read-then-write cannot
    /// deadlock. PostgreSQL: READ COMMITTED; stores that read then write take row locks or rely on unique indexes.
    /// </summary>
    public static async Task<WriteTransaction> BeginAsync(DbConnection connection, bool ownsConnection, CancellationToken ct)
        => new(connection, await connection.BeginTransactionAsync(ct), ownsConnection);

    public void AfterCommit(Action action) => afterCommit.Add(action);

    /// <summary>
    /// Work that follows from the transaction's changes taken together, run once per <paramref name="key"/> just before
    /// COMMIT (a letter's milestones are checked once per batch, not once per signature that counts).
    /// </summary>
    public void BeforeCommit(string key, Func<Task> work) => beforeCommit.TryAdd(key, work);

    /// <summary>Runs one part of a batch in a savepoint: when it throws, only its own writes are undone.</summary>
    public async Task<T> InSavepointAsync<T>(Func<Task<T>> part)
    {
        await ExecuteAsync("SAVEPOINT part");
        try
        {
            var result = await part();
            await ExecuteAsync("RELEASE part");
            return result;
        }
        catch
        {
            await ExecuteAsync("ROLLBACK TO part; RELEASE part");
            throw;
        }
    }

    public async Task CommitAsync(CancellationToken ct = default)
    {
        foreach (var work in beforeCommit.Values) await work();
        await Transaction.CommitAsync(ct);
        foreach (var action in afterCommit) action();
    }

    // On the signature writer's SQLite connection, through its prepared statements; otherwise through Dapper.
    public Task<int> ExecuteAsync(string sql, object? parameters = null)
        => statements?.Bind(sql, parameters, Transaction) is { } command ? Task.FromResult(command.ExecuteNonQuery())
            : Connection.ExecuteAsync(sql, parameters, Transaction);

    public Task<T?> ScalarAsync<T>(string sql, object? parameters = null)
        => statements?.Bind(sql, parameters, Transaction) is { } command ? Task.FromResult(StatementCache.Scalar<T>(command.ExecuteScalar()))
            : Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null)
        => statements?.Bind(sql, parameters, Transaction) is { } command ? Task.FromResult(Read<T>(command))
            : Connection.QueryAsync<T>(sql, parameters, Transaction);

    public Task<T?> SingleOrDefaultAsync<T>(string sql, object? parameters = null)
        => statements?.Bind(sql, parameters, Transaction) is { } command ? Task.FromResult(Read<T>(command).SingleOrDefault())
            : Connection.QuerySingleOrDefaultAsync<T>(sql, parameters, Transaction);

    static IEnumerable<T> Read<T>(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Parse<T>().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Transaction.DisposeAsync();
        }
        // A connection the database cut has no transaction left to roll back: the error that cut it is the one to report.
        catch (Exception) when (Connection.State != System.Data.ConnectionState.Open) { }
        if (ownsConnection) await Connection.DisposeAsync();
    }
}

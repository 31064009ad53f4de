using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>Opens SQLite connections configured the same way everywhere. Only stores (Domain/) call it.</summary>
public sealed class Db
{
    readonly string connectionString;

    public Db(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true, Pooling = true };
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (builder.Mode != SqliteOpenMode.Memory && directory is not null) Directory.CreateDirectory(directory);
        this.connectionString = builder.ToString();
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
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        // Microsoft.Data.Sqlite retries a busy database until the command timeout (30 s), so no busy_timeout is needed.
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        // Erased personal data must not linger in free pages of the file (secure_delete is per connection).
        await connection.ExecuteAsync("PRAGMA secure_delete = ON");
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
        await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA cache_size = -65536");
        return connection;
    }

    /// <summary>Throws when the database does not answer, or was never migrated.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        await using var connection = await OpenReadAsync(ct);
        await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM schema_migrations");
    }

    /// <summary>A write transaction on a connection of its own.</summary>
    public async Task<WriteTransaction> BeginWriteAsync(CancellationToken ct = default)
        => await WriteTransaction.BeginAsync(await OpenAsync(ct), ownsConnection: true, ct);

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

    WriteTransaction(DbConnection connection, DbTransaction transaction, bool ownsConnection)
        => (Connection, Transaction, this.ownsConnection) = (connection, transaction, ownsConnection);

    public DbConnection Connection { get; }
    public DbTransaction Transaction { get; }

    /// <summary>SQLite's BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is taken up front, so read-then-write cannot deadlock.</summary>
    public static async Task<WriteTransaction> BeginAsync(DbConnection connection, bool ownsConnection, CancellationToken ct)
        => new(connection, await connection.BeginTransactionAsync(ct), ownsConnection);

    public void AfterCommit(Action action) => afterCommit.Add(action);

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
        await Transaction.CommitAsync(ct);
        foreach (var action in afterCommit) action();
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) => Connection.ExecuteAsync(sql, parameters, Transaction);
    public Task<T?> ScalarAsync<T>(string sql, object? parameters = null) => Connection.ExecuteScalarAsync<T>(sql, parameters, Transaction);
    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null) => Connection.QueryAsync<T>(sql, parameters, Transaction);
    public Task<T?> SingleOrDefaultAsync<T>(string sql, object? parameters = null) => Connection.QuerySingleOrDefaultAsync<T>(sql, parameters, Transaction);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        if (ownsConnection) await Connection.DisposeAsync();
    }
}

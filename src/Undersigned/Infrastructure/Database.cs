using System.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>Opens SQLite connections configured the same way everywhere.</summary>
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
    public async Task<SqliteConnection> OpenReadAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        // Microsoft.Data.Sqlite retries a busy database until the command timeout (30 s), so no busy_timeout is needed.
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        // Erased personal data must not linger in free pages of the file (secure_delete is per connection).
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA secure_delete = ON";
        await command.ExecuteNonQueryAsync(ct);
        return connection;
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

public static class SqliteConnectionExtensions
{
    /// <summary>BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is taken up front, so read-then-write cannot deadlock.</summary>
    public static async Task<SqliteTransaction> BeginWriteAsync(this SqliteConnection connection, CancellationToken ct)
        => (SqliteTransaction)await connection.BeginTransactionAsync(ct);
}

using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>
/// Commands kept prepared on one long-lived connection, for the signing writer's hot path: SQLite then parses each
/// statement once, not once per signature. Parameters are positional-by-name (<c>$a</c>) and values plain.
/// </summary>
public sealed class PreparedStatements(SqliteConnection connection) : IAsyncDisposable
{
    readonly Dictionary<string, SqliteCommand> commands = new();

    public SqliteConnection Connection => connection;

    SqliteCommand Command(string sql, SqliteTransaction tx, (string Name, object? Value)[] parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters) command.Parameters.Add(new SqliteParameter(name, null));
            commands[sql] = command;
        }
        command.Transaction = tx;
        for (var i = 0; i < parameters.Length; i++) command.Parameters[i].Value = Plain(parameters[i].Value);
        return command;
    }

    static object Plain(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset instant => instant.ToUnixTimeMilliseconds(),
        bool flag => flag ? 1 : 0,
        _ => value,
    };

    public Task<int> ExecuteAsync(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
        => Command(sql, tx, parameters).ExecuteNonQueryAsync();

    public async Task<object?> ScalarAsync(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
        => await Command(sql, tx, parameters).ExecuteScalarAsync() is var value and not DBNull ? value : null;

    public async Task<object[]?> RowAsync(SqliteTransaction tx, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var reader = await Command(sql, tx, parameters).ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        var row = new object[reader.FieldCount];
        reader.GetValues(row);
        return row;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in commands.Values) await command.DisposeAsync();
        await connection.DisposeAsync();
    }
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Undersigned.Infrastructure;

/// <summary>
/// One statement for each of many rows, in the writer's transaction, with SQL text that does not depend on how many rows
/// there are, so it is compiled once: on SQLite the command is prepared once and run for each row in process (the
/// writer's connection keeps it for next time); on PostgreSQL every row's command goes in one <see cref="NpgsqlBatch"/>,
/// one round trip, which Npgsql prepares itself. The statement names its values <c>@p0</c>, <c>@p1</c>, … in row order.
/// </summary>
/// <remarks>
/// Not one multi-row <c>VALUES</c> statement: its text changes with the batch size, so it is compiled for every batch,
/// and SQLite finds each of its thousands of parameters by name in a list (measured 2.5 times slower than one row at a time).
/// </remarks>
public static class SqlRows
{
    /// <summary>Runs <paramref name="sql"/> for each row; returns, for each row's result rows, the row's index and what <paramref name="read"/> made of it.</summary>
    public static async Task<List<(int Row, T Value)>> EachAsync<T>(this WriteTransaction tx, string sql, IReadOnlyList<object?[]> rows, Func<DbDataReader, T> read)
    {
        var results = new List<(int, T)>(rows.Count);
        if (rows.Count == 0) return results;
        if (tx.Connection is SqliteConnection)
        {
            var (command, owned) = Prepared(tx, sql, rows[0].Length);
            try
            {
                for (var r = 0; r < rows.Count; r++)
                {
                    Bind(command.Parameters, rows[r]);
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) results.Add((r, read(reader)));
                }
            }
            finally
            {
                if (owned) command.Dispose();
            }
            return results;
        }
        await using var batch = Batch(tx, sql, rows);
        await using var batchReader = await batch.ExecuteReaderAsync();
        for (var r = 0; r < rows.Count; r++, await batchReader.NextResultAsync())
            while (await batchReader.ReadAsync()) results.Add((r, read(batchReader)));
        return results;
    }

    /// <summary>Runs <paramref name="sql"/> for each row; returns how many rows it changed in all.</summary>
    public static async Task<int> EachAsync(this WriteTransaction tx, string sql, IReadOnlyList<object?[]> rows)
    {
        if (rows.Count == 0) return 0;
        if (tx.Connection is SqliteConnection)
        {
            var (command, owned) = Prepared(tx, sql, rows[0].Length);
            var changed = 0;
            try
            {
                foreach (var row in rows)
                {
                    Bind(command.Parameters, row);
                    changed += command.ExecuteNonQuery();
                }
            }
            finally
            {
                if (owned) command.Dispose();
            }
            return changed;
        }
        await using var batch = Batch(tx, sql, rows);
        return await batch.ExecuteNonQueryAsync();
    }

    /// <summary>The writer connection's kept command, or one of its own (<c>owned</c>: disposed after use).</summary>
    static (SqliteCommand Command, bool Owned) Prepared(WriteTransaction tx, string sql, int width)
    {
        var kept = StatementCache.For(tx.Connection)?.Command(sql);
        var command = kept ?? ((SqliteConnection)tx.Connection).CreateCommand();
        if (command.CommandText != sql) command.CommandText = sql;
        command.Transaction = (SqliteTransaction)tx.Transaction;
        if (command.Parameters.Count != width)
        {
            command.Parameters.Clear();
            for (var c = 0; c < width; c++) command.Parameters.Add(new SqliteParameter { ParameterName = $"@p{c}" });
            command.Prepare();
        }
        return (command, kept is null);
    }

    static NpgsqlBatch Batch(WriteTransaction tx, string sql, IReadOnlyList<object?[]> rows)
    {
        var batch = new NpgsqlBatch((NpgsqlConnection)tx.Connection, (NpgsqlTransaction)tx.Transaction);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(sql);
            for (var c = 0; c < row.Length; c++) command.Parameters.Add(new NpgsqlParameter($"p{c}", Value(row[c])));
            batch.BatchCommands.Add(command);
        }
        return batch;
    }

    static void Bind(DbParameterCollection parameters, object?[] row)
    {
        for (var c = 0; c < row.Length; c++) parameters[c].Value = Value(row[c]);
    }

    // As the rest of the service stores them (Db's type handler): instants as Unix milliseconds.
    static object Value(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset instant => instant.ToUnixTimeMilliseconds(),
        _ => value,
    };
}

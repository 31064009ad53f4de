using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>
/// Prepared statements kept for the life of the signature writer's SQLite connection. Microsoft.Data.Sqlite compiles
/// every new command afresh (dotnet/efcore#14044), and compiling the signing path's inserts (six indexes, a trigger)
/// measured at a third of the writer's time per signature. Parameters are bound from plain objects, as Dapper would;
/// anything else (lists for <c>IN</c>, <see cref="DynamicParameters"/>) is left to Dapper. PostgreSQL needs none of
/// this: Npgsql prepares repeated statements itself (<c>Max Auto Prepare</c>).
/// </summary>
public sealed class StatementCache
{
    const int Capacity = 64;
    static readonly ConditionalWeakTable<DbConnection, StatementCache> Caches = new();
    static readonly ConcurrentDictionary<Type, (string Name, Func<object, object?> Get)[]?> Properties = new();

    readonly SqliteConnection connection;
    readonly Dictionary<string, SqliteCommand> commands = [];

    StatementCache(SqliteConnection connection)
    {
        this.connection = connection;
        connection.Disposed += (_, _) =>
        {
            foreach (var command in commands.Values) command.Dispose();
            commands.Clear();
        };
    }

    public static void Attach(SqliteConnection connection) => Caches.AddOrUpdate(connection, new StatementCache(connection));

    public static StatementCache? For(DbConnection connection) => Caches.TryGetValue(connection, out var cache) ? cache : null;

    /// <summary>The prepared command for this SQL with these parameters bound; null when Dapper should run it.</summary>
    public SqliteCommand? Bind(string sql, object? parameters, DbTransaction transaction)
    {
        var properties = parameters is null ? [] : Properties.GetOrAdd(parameters.GetType(), Bindable);
        if (properties is null) return null;
        if (!commands.TryGetValue(sql, out var command))
        {
            if (commands.Count >= Capacity) return null;
            command = connection.CreateCommand();
            command.CommandText = sql;
            commands[sql] = command;
        }
        command.Transaction = (SqliteTransaction)transaction;
        foreach (var (name, get) in properties)
        {
            var parameter = command.Parameters.Contains(name) ? command.Parameters[name] : command.Parameters.Add(new SqliteParameter { ParameterName = name });
            parameter.Value = get(parameters!) switch
            {
                null => DBNull.Value,
                DateTimeOffset instant => instant.ToUnixTimeMilliseconds(), // as Db's type handler stores instants
                var value => value,
            };
        }
        return command;
    }

    /// <summary>The kept command for this SQL, for <see cref="SqlRows"/> to bind by position; null when the cache is full.</summary>
    public SqliteCommand? Command(string sql)
    {
        if (commands.TryGetValue(sql, out var command)) return command;
        if (commands.Count >= Capacity) return null;
        return commands[sql] = connection.CreateCommand();
    }

    /// <summary>A type's properties as parameters, or null when one holds something only Dapper binds.</summary>
    static (string, Func<object, object?>)[]? Bindable(Type type)
    {
        if (type == typeof(DynamicParameters)) return null;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        if (properties.Any(p => !Simple(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))) return null;
        return properties.Select(p => ("@" + p.Name, (Func<object, object?>)p.GetValue)).ToArray();
    }

    static bool Simple(Type type) => type == typeof(string) || type == typeof(byte[]) || type == typeof(long) || type == typeof(int)
                                     || type == typeof(bool) || type == typeof(double) || type == typeof(DateTimeOffset);

    public static T? Scalar<T>(object? value)
    {
        if (value is null or DBNull) return default;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return type == typeof(DateTimeOffset)
            ? (T)(object)DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(value))
            : (T)Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture);
    }
}

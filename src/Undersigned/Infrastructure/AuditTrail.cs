using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Infrastructure;

/// <summary>The audit trail: each staff read of personal data, export, correction, moderation decision and erasure.</summary>
public static class AuditTrail
{
    public static Task RecordAsync(SqliteConnection connection, SqliteTransaction? tx, DateTimeOffset at, long? keyId, string action,
        long? letterId, long? signatureId = null, long? rows = null, object? details = null)
        => connection.ExecuteAsync("""
            INSERT INTO audit_log (at, key_id, action, letter_id, signature_id, rows, details)
            VALUES (@at, @keyId, @action, @letterId, @signatureId, @rows, @details)
            """, new { at, keyId, action, letterId, signatureId, rows, details = details is null ? null : JsonSerializer.Serialize(details, Json.Options) }, tx);
}

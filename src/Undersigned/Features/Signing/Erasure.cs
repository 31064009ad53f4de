using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Features.Signing;

public static class Erasure
{
    /// <summary>Erases a signer's personal data at once and cancels mail not yet sent to them; the row stays as 'withdrawn'.</summary>
    public static async Task EraseAsync(SqliteConnection connection, SqliteTransaction tx, long signatureId)
    {
        await connection.ExecuteAsync("""
            UPDATE signatures SET status = 'withdrawn', name = NULL, role = NULL, organisation = NULL,
                email_hmac = NULL, email_encrypted = NULL, verify_token_hash = NULL
            WHERE id = @signatureId
            """, new { signatureId }, tx);
        await connection.ExecuteAsync("DELETE FROM outbox WHERE signature_id = @signatureId", new { signatureId }, tx);
        // A correction's record holds the signer's original name: it goes too.
        await connection.ExecuteAsync("UPDATE audit_log SET details = NULL WHERE signature_id = @signatureId", new { signatureId }, tx);
    }
}

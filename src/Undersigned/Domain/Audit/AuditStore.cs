using System.Text.Json;
using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Audit;

public sealed class AuditRow
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public long? KeyId { get; init; }
    public string Action { get; init; } = "";
    public long? LetterId { get; init; }
    public long? SignatureId { get; init; }
    public long? Rows { get; init; }
    public string? Details { get; init; }
}

/// <summary>
/// The audit trail: each staff read of personal data, export, correction, moderation decision and erasure. Exports are
/// audit entries too. The only place that reads and writes <c>audit_log</c>.
/// </summary>
public sealed class AuditStore(Db db)
{
    public const string ExportCsv = "export.csv", DeliveryPrefix = "delivery.";

    /// <summary>Records an entry: in <paramref name="tx"/> when the action is part of a change, on its own otherwise.</summary>
    public async Task RecordAsync(WriteTransaction? tx, DateTimeOffset at, long? keyId, string action, long? letterId,
        long? signatureId = null, long? rows = null, object? details = null, CancellationToken ct = default)
    {
        const string sql = """
            INSERT INTO audit_log (at, key_id, action, letter_id, signature_id, rows, details)
            VALUES (@at, @keyId, @action, @letterId, @signatureId, @rows, @details)
            """;
        var parameters = new { at, keyId, action, letterId, signatureId, rows, details = details is null ? null : JsonSerializer.Serialize(details, Json.Options) };
        if (tx is not null)
        {
            await tx.ExecuteAsync(sql, parameters);
            return;
        }
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(sql, parameters);
    }

    public async Task<List<AuditRow>> ListAsync(long? letterId, long? before, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<AuditRow>(
            "SELECT * FROM audit_log WHERE id < @before AND (@letterId IS NULL OR letter_id = @letterId) ORDER BY id DESC LIMIT @take",
            new { before = before ?? long.MaxValue, letterId, take })).ToList();
    }

    /// <summary>The letter's CSV exports and delivery packs, newest first.</summary>
    public async Task<List<AuditRow>> ExportsAsync(long letterId, long? before, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<AuditRow>("""
            SELECT * FROM audit_log WHERE letter_id = @letterId AND (action = @ExportCsv OR action LIKE @delivery) AND id < @before
            ORDER BY id DESC LIMIT @take
            """, new { letterId, ExportCsv, delivery = DeliveryPrefix + "%", before = before ?? long.MaxValue, take })).ToList();
    }

    /// <summary>A correction's record holds the signer's original name: it goes with the signer's data.</summary>
    public Task ForgetSignatureDetailsAsync(WriteTransaction tx, long signatureId)
        => tx.ExecuteAsync("UPDATE audit_log SET details = NULL WHERE signature_id = @signatureId", new { signatureId });

    public Task ForgetLetterSignatureDetailsAsync(WriteTransaction tx, long letterId)
        => tx.ExecuteAsync("UPDATE audit_log SET details = NULL WHERE letter_id = @letterId AND signature_id IS NOT NULL", new { letterId });
}

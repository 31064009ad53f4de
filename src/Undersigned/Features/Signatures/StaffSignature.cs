using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Features.Signing;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures;

/// <summary>A signature as staff see it: contact details included.</summary>
public sealed class StaffSignature
{
    public long Id { get; init; }
    public required string Kind { get; init; }
    public required string Status { get; init; }
    /// <summary>As it appears publicly (empty once erased).</summary>
    public required string Display { get; init; }
    public string? Name { get; init; }
    public string? Role { get; init; }
    public string? Organisation { get; init; }
    /// <summary>Decrypted for staff; null once erased or for a staff-added signatory without one.</summary>
    public string? Email { get; init; }
    /// <summary>The signer's choice: shown publicly by name, or only counted.</summary>
    public bool ShowName { get; init; }
    public int TextVersion { get; init; }
    /// <summary>The consent wording version agreed to when signing (given at <c>signedAt</c>); null for staff-added signatories.</summary>
    public int? ConsentVersion { get; init; }
    /// <summary>Keyed hash of the client address it was signed from (hex; kept 7 days), for bulk invalidation.</summary>
    public string? AddressHash { get; init; }
    /// <summary>Signed in a burst from one address: held for review on confirmation.</summary>
    public bool Held { get; init; }
    /// <summary>The key that added this signatory, when staff added it (signed by email reply, on paper…).</summary>
    public long? StaffAddedBy { get; init; }
    public DateTimeOffset SignedAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
}

public static class StaffSignatures
{
    public sealed class Row
    {
        public long Id { get; init; }
        public long LetterId { get; init; }
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Organisation { get; init; }
        public byte[]? EmailEncrypted { get; init; }
        public bool ShowName { get; init; }
        public int TextVersion { get; init; }
        public int? ConsentVersion { get; init; }
        public byte[]? AddressHash { get; init; }
        public bool Held { get; init; }
        public long? StaffAddedBy { get; init; }
        public DateTimeOffset SignedAt { get; init; }
        public DateTimeOffset? ConfirmedAt { get; init; }
    }

    public const string Columns = "id, letter_id, kind, status, name, role, organisation, email_encrypted, show_name, text_version, consent_version, address_hash, held, staff_added_by, signed_at, confirmed_at";

    public static StaffSignature ToResponse(Row row, byte[]? letterKey) => new()
    {
        Id = row.Id, Kind = row.Kind, Status = row.Status, Display = SignerFields.Display(row.Kind, row.Name, row.Role, row.Organisation),
        Name = row.Name, Role = row.Role, Organisation = row.Organisation,
        Email = row.EmailEncrypted is null || letterKey is null ? null : Aead.OpenText(letterKey, row.EmailEncrypted),
        ShowName = row.ShowName, TextVersion = row.TextVersion, ConsentVersion = row.ConsentVersion,
        AddressHash = row.AddressHash is null ? null : Convert.ToHexStringLower(row.AddressHash), Held = row.Held, StaffAddedBy = row.StaffAddedBy, SignedAt = row.SignedAt, ConfirmedAt = row.ConfirmedAt,
    };

    public static Task<Row?> FindAsync(SqliteConnection connection, long letterId, long signatureId, SqliteTransaction? tx = null)
        => connection.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM signatures WHERE id = @signatureId AND letter_id = @letterId",
            new { letterId, signatureId }, tx);

    /// <summary>Parses <c>?status=</c>: one or more statuses, comma-separated, or <c>all</c>; null when a value is unknown.</summary>
    public static string[]? ParseStatuses(string? text, string[] fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains("all")) return SignatureStatus.All;
        return parts.All(SignatureStatus.All.Contains) ? parts : null;
    }
}

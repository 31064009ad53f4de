using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
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
    /// <summary>The language of the consent wording agreed to (its version is that language's); null: the letter's own.</summary>
    public string? ConsentLanguage { get; init; }
    /// <summary>Keyed hash of the client address it was signed from (hex; kept 7 days), for bulk invalidation.</summary>
    public string? AddressHash { get; init; }
    /// <summary>Signed in a burst from one address: held for review on confirmation.</summary>
    public bool Held { get; init; }
    /// <summary>The key that added this signatory, when staff added it (signed by email reply, on paper…).</summary>
    public long? StaffAddedBy { get; init; }
    public DateTimeOffset SignedAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    /// <summary>The partner the signature came through (or that gathered it).</summary>
    public long? PartnerId { get; init; }
    /// <summary><c>online</c>, <c>paper</c>, <c>event</c> or <c>email</c>.</summary>
    public required string Method { get; init; }
    /// <summary>The language signed in; null: the letter's own (and once purged). Never given to partners or webhooks.</summary>
    public string? Language { get; init; }
    /// <summary>Asked for updates: true; unsubscribed: false; null when not asked.</summary>
    public bool? Updates { get; init; }
    /// <summary>Whether the signer lets that partner contact them; null when not asked, or once withdrawn or purged.</summary>
    public bool? PartnerConsent { get; init; }

    public static StaffSignature Of(SignatureRow row, byte[]? letterKey) => new()
    {
        Id = row.Id, Kind = row.Kind, Status = row.Status, Display = row.Display, Name = row.Name, Role = row.Role, Organisation = row.Organisation,
        Email = row.Email(letterKey), ShowName = row.ShowName, TextVersion = row.TextVersion, ConsentVersion = row.ConsentVersion, ConsentLanguage = row.ConsentLanguage,
        AddressHash = row.AddressHash is null ? null : Convert.ToHexStringLower(row.AddressHash), Held = row.Held, StaffAddedBy = row.StaffAddedBy,
        SignedAt = row.SignedAt, ConfirmedAt = row.ConfirmedAt, PartnerId = row.PartnerId, PartnerConsent = row.PartnerConsent, Method = row.Method, Updates = row.Updates, Language = row.Language,
    };
}

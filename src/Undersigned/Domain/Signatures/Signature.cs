using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

public static class SignatureStatus
{
    public const string Pending = "pending", Review = "review", Confirmed = "confirmed", Rejected = "rejected",
        Withdrawn = "withdrawn", Expired = "expired";
    public static readonly string[] All = [Pending, Review, Confirmed, Rejected, Withdrawn, Expired];

    /// <summary>Parses <c>?status=</c>: one or more statuses, comma-separated, or <c>all</c>; null when a value is unknown.</summary>
    public static string[]? Parse(string? text, string[] fallback)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Contains("all")) return All;
        return parts.All(All.Contains) ? parts : null;
    }

    public static readonly string ParseMessage = $"must be one or more of {string.Join(", ", All)}, comma-separated, or all.";
}

/// <summary>
/// Every allowed change of a signature's status. <see cref="SignaturesStore"/> applies them, and nothing else
/// changes a status.
/// </summary>
public sealed record SignatureMove(string Name, string[] From, string[] To)
{
    /// <summary>A repeat submission for an unconfirmed signature issues a new link (an expired one becomes pending again).</summary>
    public static readonly SignatureMove Resend = new("resend", [SignatureStatus.Pending, SignatureStatus.Expired], [SignatureStatus.Pending]);
    /// <summary>The signer confirms by email; moderation or a held burst sends it to review instead.</summary>
    public static readonly SignatureMove Confirm = new("confirm", [SignatureStatus.Pending, SignatureStatus.Expired],
        [SignatureStatus.Confirmed, SignatureStatus.Review]);
    public static readonly SignatureMove Approve = new("approve", [SignatureStatus.Review], [SignatureStatus.Confirmed]);
    /// <summary>Staff reject one signature, or invalidate a flood of them.</summary>
    public static readonly SignatureMove Reject = new("reject", [SignatureStatus.Pending, SignatureStatus.Review, SignatureStatus.Confirmed],
        [SignatureStatus.Rejected]);
    /// <summary>Never confirmed in time.</summary>
    public static readonly SignatureMove Expire = new("expire", [SignatureStatus.Pending], [SignatureStatus.Expired]);
    /// <summary>The signer withdraws, or staff erase: from anything, personal data goes with it.</summary>
    public static readonly SignatureMove Withdraw = new("withdraw", SignatureStatus.All, [SignatureStatus.Withdrawn]);
}

public static class SignatureKind
{
    public const string Individual = "individual", Organisation = "organisation";
}

/// <summary>How a signature was given: through the form, or gathered by staff or a partner.</summary>
public static class SigningMethod
{
    public const string Online = "online", Paper = "paper", Event = "event", Email = "email";
    /// <summary>The ways staff and partners may record.</summary>
    public static readonly string[] Gathered = [Paper, Event, Email];
}

public static partial class Signer
{
    /// <summary>"Name (Role, Organisation)" for people, "Organisation" for organisations.</summary>
    public static string Display(string kind, string? name, string? role, string? organisation)
    {
        if (kind == SignatureKind.Organisation) return organisation ?? "";
        var affiliation = string.Join(", ", new[] { role, organisation }.Where(s => !string.IsNullOrEmpty(s)));
        return affiliation.Length == 0 ? name ?? "" : $"{name} ({affiliation})";
    }

    public const int MaxNameLength = 120, MaxOrganisationLength = 200, MaxEmailLength = 254;
    public const string PlainNameMessage = "must be plain text: no line breaks, web addresses or @.";
    public const string EmailMessage = "must be an email address such as name@example.org.";

    [GeneratedRegex(@"(https?:|www\.|://|@|\.(com|org|net|io|ru|xyz|info)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex LinkLike();

    /// <summary>
    /// Names are shown to ministers and the public: no links, addresses or control characters to smuggle in, whether
    /// written plainly or in look-alike characters (fullwidth ＠ and ．, which NFKC folds to @ and .).
    /// </summary>
    public static bool IsPlainName(string? text)
        => text is null || (Text.IsSingleLine(text) && !LinkLike().IsMatch(text) && !LinkLike().IsMatch(text.Normalize(NormalizationForm.FormKC)));

    public static bool IsEmail(string email)
    {
        var trimmed = email.Trim();
        // A domain, not an address literal (root@[10.0.0.1]) or a bare IP: mail must not be aimed into a network.
        return MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed
            && address.Host.Contains('.') && !address.Host.StartsWith('.') && !address.Host.EndsWith('.') && Text.IsSingleLine(trimmed)
            && !address.Host.StartsWith('[') && !System.Net.IPAddress.TryParse(address.Host, out _);
    }
}

/// <summary>
/// A signature to store: from the public form (pending, confirmed by email) or added by staff; with the proof-of-work
/// challenge it used, if any, which is recorded as used in the same write.
/// </summary>
public sealed record SignatureDraft(
    long LetterId, string Kind, string Name, string? Role, string? Organisation, string? Email, bool ShowName, int TextVersion,
    int? ConsentVersion, long? StaffAddedBy = null, byte[]? AddressHash = null, bool Held = false, UsedChallenge? Challenge = null,
    long? PartnerId = null, bool? PartnerConsent = null, string Method = SigningMethod.Online, bool AddedByPartner = false, string? PartnerName = null,
    bool Updates = false, string? Language = null, string? ConsentLanguage = null);

/// <summary>
/// "Tell me what happens with this letter": asked unticked on the form, versioned like the consent wording; the words
/// are the widget's, saying until when (the letter's purge).
/// </summary>
public static class UpdatesQuestion
{
    public const int Version = 1;
}

public sealed record UsedChallenge(string Challenge, DateTimeOffset ExpiresAt);

public enum SignOutcome { Stored, Duplicate, ChallengeUsed }

public sealed record SignResult(SignOutcome Outcome, long SignatureId);

/// <summary>A signature as stored, contact details still encrypted.</summary>
public sealed class SignatureRow
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
    /// <summary>The language of the consent wording shown (its <see cref="ConsentVersion"/> is that language's); null: the primary's.</summary>
    public string? ConsentLanguage { get; init; }

    /// <summary>Which consent wording was agreed to, as staff and the signer read it: "cy version 2"; empty where consent was given another way.</summary>
    public string ConsentWording(string primaryLanguage)
        => ConsentVersion is { } version ? $"{ConsentLanguage ?? primaryLanguage} version {version}{(version == 0 ? " (the service's standard wording)" : "")}" : "";
    public byte[]? AddressHash { get; init; }
    public bool Held { get; init; }
    public long? StaffAddedBy { get; init; }
    public DateTimeOffset SignedAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    /// <summary>The partner whose code the signature came through.</summary>
    public long? PartnerId { get; init; }
    /// <summary><c>online</c>, <c>paper</c>, <c>event</c> or <c>email</c>.</summary>
    public string Method { get; init; } = SigningMethod.Online;
    /// <summary>Asked for updates: true; unsubscribed: false; null when not asked, or once erased.</summary>
    public bool? Updates { get; init; }
    /// <summary>The signer's answer to "let this partner contact me"; null when not asked, or once withdrawn or purged.</summary>
    public bool? PartnerConsent { get; init; }
    /// <summary>The language signed in (its text version is that language's); null: the letter's primary, or once purged.</summary>
    public string? Language { get; init; }

    public string Display => Signer.Display(Kind, Name, Role, Organisation);

    /// <summary>The email, decrypted under the letter's key; null once erased or purged.</summary>
    public string? Email(byte[]? letterKey) => EmailEncrypted is null || letterKey is null ? null : Aead.OpenText(letterKey, EmailEncrypted);
}

public sealed class PublicCounts
{
    /// <summary>Confirmed organisations.</summary>
    public long Organisations { get; init; }
    /// <summary>Confirmed individuals.</summary>
    public long Individuals { get; init; }
    /// <summary>Confirmed signatories who chose not to be named (included in the two counts above).</summary>
    public long NotNamed { get; init; }
    public long Total => Organisations + Individuals;
}

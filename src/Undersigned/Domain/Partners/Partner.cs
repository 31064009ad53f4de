using System.Text.Json;
using System.Text.RegularExpressions;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Partners;

public sealed class PartnerRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    /// <summary>What a partner's embeds and links carry (<c>data-partner</c>, <c>?partner=</c>, the sign route's <c>partner</c>).</summary>
    public string Code { get; init; } = "";
    public string? Website { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A partner as attached to one letter.</summary>
public sealed class AttachedPartner
{
    public long PartnerId { get; init; }
    public string Code { get; init; } = "";
    public string Name { get; init; } = "";
    public string AllowedOrigins { get; init; } = "[]";
    /// <summary>Whether the form asks signers to let this partner contact them about the campaign.</summary>
    public bool AskContactConsent { get; init; }
    public DateTimeOffset AttachedAt { get; init; }
    /// <summary>Set when detached: the code stops working; signatures it brought keep their attribution.</summary>
    public DateTimeOffset? DetachedAt { get; init; }

    string[]? origins;
    public string[] Origins => origins ??= JsonSerializer.Deserialize<string[]>(AllowedOrigins)!;
}

public static partial class PartnerCode
{
    public const int MaxLength = 40;

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    private static partial Regex Pattern();

    public static bool IsWellFormed(string? code) => code is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(code);
}

/// <summary>
/// The wording of "let this partner contact me", versioned: a signature records the version its signer answered.
/// The words are the widget's ("Let {partner} contact me about this campaign", in each language); a change of meaning
/// is a new version.
/// </summary>
public static class PartnerConsent
{
    public const int Version = 1;
}

/// <summary>A partner's own numbers for a letter: what it submitted, and of that what counts now.</summary>
public sealed record PartnerCounts(long Submitted, long Confirmed)
{
    public static readonly PartnerCounts None = new(0, 0);
}

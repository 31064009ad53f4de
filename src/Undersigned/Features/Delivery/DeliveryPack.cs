using System.Globalization;

namespace Undersigned.Features.Delivery;

/// <summary>One line of the public signatory block. Never an email, never an organisation's contact person.</summary>
public sealed record PackSignatory(string Display, int TextVersion, bool InReview);

/// <summary>The letter as it goes to its target, with its public signatory block and what makes it checkable.</summary>
public sealed record DeliveryPack(
    string Title, string Target, string Body, string TimeZone, DateTimeOffset AsOf, int TextVersion, string Sha256,
    IReadOnlyList<PackSignatory> Organisations, IReadOnlyList<PackSignatory> Individuals, long NotNamed, long OtherThanOnline, bool Preview)
{
    public static readonly StringComparer Alphabetical = StringComparer.Create(CultureInfo.GetCultureInfo("en-GB"), CompareOptions.IgnoreCase);

    public long SignatoryCount => Organisations.Count + Individuals.Count + NotNamed;
    public bool AnyEarlierWording => Organisations.Concat(Individuals).Any(s => s.TextVersion < TextVersion);

    /// <summary>The footer's counts: who signed, how many in all, how many other than online, and when.</summary>
    public string CountsLine => $"{Organisations.Count} organisations and {Individuals.Count + NotNamed} individuals signed ({SignatoryCount} in all" +
                                (OtherThanOnline > 0 ? $", {OtherThanOnline} of them on paper, at events or by email" : "") + $"), as of {AsOfText}.";

    /// <summary>The date line, in the letter's own time zone.</summary>
    public string LocalDate => TimeZoneInfo.ConvertTime(AsOf, TimeZoneInfo.FindSystemTimeZoneById(TimeZone))
        .ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    public string AsOfText => $"{TimeZoneInfo.ConvertTime(AsOf, TimeZoneInfo.FindSystemTimeZoneById(TimeZone)):yyyy-MM-dd HH:mm} ({TimeZone})";

    public static string Marks(PackSignatory signatory, int currentVersion)
        => (signatory.TextVersion < currentVersion ? " †" : "") + (signatory.InReview ? " [in review]" : "");

    public static async Task<DeliveryPack> BuildAsync(LettersStore letters, SignaturesStore signatures, LetterRow letter, DateTimeOffset now,
        bool preview, CancellationToken ct)
    {
        var statuses = preview ? new[] { SignatureStatus.Confirmed, SignatureStatus.Review } : [SignatureStatus.Confirmed];
        var rows = await signatures.ForPackAsync(letter.Id, statuses, ct);
        var sha256 = await letters.TextSha256Async(letter, ct);

        List<PackSignatory> Shown(string kind) => rows.Where(r => r.Kind == kind && r.ShowName)
            .Select(r => new PackSignatory(r.Display, r.TextVersion, r.Status == SignatureStatus.Review))
            .OrderBy(s => s.Display, Alphabetical).ToList();

        return new DeliveryPack(letter.Title, letter.Target, letter.Body, letter.TimeZone, now, letter.TextVersion ?? 1, sha256,
            Shown(SignatureKind.Organisation), Shown(SignatureKind.Individual), rows.Count(r => !r.ShowName),
            rows.Count(r => r.Method != SigningMethod.Online), preview);
    }
}

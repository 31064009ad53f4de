using System.Globalization;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Delivery;

/// <summary>
/// One line of the public signatory block, marked † when it signed an earlier wording of its own language. Never an
/// email, never an organisation's contact person, never the language signed in.
/// </summary>
public sealed record PackSignatory(string Display, bool EarlierWording, bool InReview);

/// <summary>A language the letter was published in, with its current text version and that version's SHA-256.</summary>
public sealed record PackLanguage(string Language, int TextVersion, string Sha256);

/// <summary>The letter as it goes to its target, with its public signatory block and what makes it checkable.</summary>
public sealed record DeliveryPack(
    string Language, string Title, string Target, string Body, string TimeZone, DateTimeOffset AsOf, int TextVersion, string Sha256,
    IReadOnlyList<PackSignatory> Organisations, IReadOnlyList<PackSignatory> Individuals, long NotNamed, long OtherThanOnline, bool Preview,
    IReadOnlyList<PackLanguage> Languages, IReadOnlyList<LanguageCount>? LanguageCounts)
{
    public static readonly StringComparer Alphabetical = StringComparer.Create(CultureInfo.GetCultureInfo("en-GB"), CompareOptions.IgnoreCase);

    public long SignatoryCount => Organisations.Count + Individuals.Count + NotNamed;
    public bool AnyEarlierWording => Organisations.Concat(Individuals).Any(s => s.EarlierWording);
    public string Direction => LanguageTag.Direction(Language);

    /// <summary>With translations: each language's current text version and hash; null for a letter in one language.</summary>
    public string? LanguagesLine => Languages.Count < 2 ? null
        : "Published in " + string.Join("; ", Languages.Select(l => $"{l.Language}: text version {l.TextVersion}, SHA-256 {l.Sha256}")) + ".";

    /// <summary>The footer lines beyond counts and hash: the languages, and the counts per language when asked for.</summary>
    public IEnumerable<string> ExtraLines => new[] { LanguagesLine, LanguageCountsLine }.OfType<string>();

    /// <summary>Only when staff ask: confirmed signatures per language, "fewer than 10" below 10.</summary>
    public string? LanguageCountsLine => LanguageCounts is null ? null
        : "Confirmed signatures by language signed in: " + string.Join(", ", LanguageCounts.Select(c =>
            $"{c.Language} {(c.Confirmed is { } n ? n.ToString("N0", CultureInfo.GetCultureInfo("en-GB")) : $"fewer than {c.FewerThan}")}")) + ".";

    /// <summary>The footer's counts: who signed, how many in all, how many other than online, and when.</summary>
    public string CountsLine => $"{Organisations.Count} organisations and {Individuals.Count + NotNamed} individuals signed ({SignatoryCount} in all" +
                                (OtherThanOnline > 0 ? $", {OtherThanOnline} of them on paper, at events or by email" : "") + $"), as of {AsOfText}.";

    /// <summary>The date line, in the letter's own time zone.</summary>
    public string LocalDate => Words.FormatDate(AsOf, TimeZone, CultureInfo.GetCultureInfo("en-GB"));

    public string AsOfText => $"{TimeZoneInfo.ConvertTime(AsOf, TimeZoneInfo.FindSystemTimeZoneById(TimeZone)):yyyy-MM-dd HH:mm} ({TimeZone})";

    public static string Marks(PackSignatory signatory) => (signatory.EarlierWording ? " †" : "") + (signatory.InReview ? " [in review]" : "");

    /// <summary>The pack in <paramref name="translation"/>'s language, or the primary's when null.</summary>
    public static async Task<DeliveryPack> BuildAsync(LettersStore letters, SignaturesStore signatures, LetterRow letter, Translation? translation,
        DateTimeOffset now, bool preview, bool languageCounts, CancellationToken ct)
    {
        var statuses = preview ? new[] { SignatureStatus.Confirmed, SignatureStatus.Review } : [SignatureStatus.Confirmed];
        var rows = await signatures.ForPackAsync(letter.Id, statuses, ct);
        var languages = (await letters.LanguageVersionsAsync(letter, ct)).GroupBy(v => v.Language)
            .Select(g => g.MaxBy(v => v.Version)!).Select(v => new PackLanguage(v.Language, v.Version, v.Sha256)).ToList();
        var current = languages.ToDictionary(l => l.Language, l => l.TextVersion);
        var text = languages.Single(l => l.Language == (translation?.Language ?? letter.Language));

        List<PackSignatory> Shown(string kind) => rows.Where(r => r.Kind == kind && r.ShowName)
            .Select(r => new PackSignatory(r.Display, r.TextVersion < current.GetValueOrDefault(r.Language ?? letter.Language), r.Status == SignatureStatus.Review))
            .OrderBy(s => s.Display, Alphabetical).ToList();

        var counts = languageCounts ? LanguageCount.Of((await signatures.ConfirmedByLanguageAsync([letter.Id], ct))[letter.Id], true) : null;
        return new DeliveryPack(text.Language, translation?.Title ?? letter.Title, translation?.Target ?? letter.Target, translation?.Body ?? letter.Body,
            letter.TimeZone, now, text.TextVersion, text.Sha256, Shown(SignatureKind.Organisation), Shown(SignatureKind.Individual),
            rows.Count(r => !r.ShowName), rows.Count(r => r.Method != SigningMethod.Online), preview, languages, counts);
    }
}

using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Features.Letters;
using Undersigned.Features.Signing;

namespace Undersigned.Features.Delivery;

/// <summary>One line of the public signatory block. Never an email, never an organisation's contact person.</summary>
public sealed record PackSignatory(string Display, int TextVersion, bool InReview);

/// <summary>The letter as it goes to its target, with its public signatory block and what makes it checkable.</summary>
public sealed record DeliveryPack(
    string Title, string Target, string Body, string TimeZone, DateTimeOffset AsOf, int TextVersion, string Sha256,
    IReadOnlyList<PackSignatory> Organisations, IReadOnlyList<PackSignatory> Individuals, long NotNamed, bool Preview)
{
    public static readonly StringComparer Alphabetical = StringComparer.Create(CultureInfo.GetCultureInfo("en-GB"), CompareOptions.IgnoreCase);

    public long SignatoryCount => Organisations.Count + Individuals.Count + NotNamed;
    public bool AnyEarlierWording => Organisations.Concat(Individuals).Any(s => s.TextVersion < TextVersion);

    /// <summary>The date line, in the letter's own time zone.</summary>
    public string LocalDate => TimeZoneInfo.ConvertTime(AsOf, TimeZoneInfo.FindSystemTimeZoneById(TimeZone))
        .ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en-GB"));

    public string AsOfText => $"{TimeZoneInfo.ConvertTime(AsOf, TimeZoneInfo.FindSystemTimeZoneById(TimeZone)):yyyy-MM-dd HH:mm} ({TimeZone})";

    public static string Marks(PackSignatory signatory, int currentVersion)
        => (signatory.TextVersion < currentVersion ? " †" : "") + (signatory.InReview ? " [in review]" : "");

    sealed class Row
    {
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Organisation { get; init; }
        public bool ShowName { get; init; }
        public int TextVersion { get; init; }
    }

    public static async Task<DeliveryPack> BuildAsync(SqliteConnection connection, LetterRow letter, DateTimeOffset now, bool preview)
    {
        var statuses = preview ? new[] { SignatureStatus.Confirmed, SignatureStatus.Review } : [SignatureStatus.Confirmed];
        var rows = (await connection.QueryAsync<Row>(
            "SELECT kind, status, name, role, organisation, show_name, text_version FROM signatures WHERE letter_id = @Id AND status IN @statuses",
            new { letter.Id, statuses })).ToList();
        var version = letter.TextVersion ?? 1;
        var sha256 = await connection.ExecuteScalarAsync<string>(
            "SELECT sha256 FROM letter_text_versions WHERE letter_id = @Id AND version = @version", new { letter.Id, version })
            ?? Letters.TextVersion.Hash(letter.Title, letter.Target, letter.Body);

        List<PackSignatory> Shown(string kind) => rows.Where(r => r.Kind == kind && r.ShowName)
            .Select(r => new PackSignatory(SignerFields.Display(r.Kind, r.Name, r.Role, r.Organisation), r.TextVersion, r.Status == SignatureStatus.Review))
            .OrderBy(s => s.Display, Alphabetical).ToList();

        return new DeliveryPack(letter.Title, letter.Target, letter.Body, letter.TimeZone, now, version, sha256,
            Shown(SignatureKind.Organisation), Shown(SignatureKind.Individual), rows.Count(r => !r.ShowName), preview);
    }
}

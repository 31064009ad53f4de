using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters;

/// <summary>The fields staff write: the body of a create, and the document a merge patch applies to.</summary>
public class LetterFields
{
    public const string DefaultTimeZone = "Europe/London";
    public const string DefaultConsentText =
        "I agree that the organisers may store my name, the details I give and my email address to confirm my signature, " +
        "and may show my signature as I chose. I can withdraw at any time with the link in my confirmation email.";

    /// <summary>The letter's title, shown to signers and in the delivery pack.</summary>
    public string? Title { get; set; }
    /// <summary>The letter's text, in Markdown.</summary>
    public string? Body { get; set; }
    /// <summary>Who the letter is addressed to, such as a minister.</summary>
    public string? Target { get; set; }
    /// <summary>When signing opens; absent means as soon as it is published.</summary>
    public DateTimeOffset? OpensAt { get; set; }
    /// <summary>When signing closes.</summary>
    public DateTimeOffset? ClosesAt { get; set; }
    /// <summary>IANA time zone the letter's dates are shown in (default Europe/London).</summary>
    public string? TimeZone { get; set; }
    /// <summary>URL-safe name in public links; made from the title when absent. Changes only while draft.</summary>
    public string? Slug { get; set; }
    /// <summary><c>none</c>, <c>organisations</c> or <c>all</c>: which confirmed signatures wait for staff approval. Changes only while draft.</summary>
    public string? Moderation { get; set; }
    /// <summary>Origins (<c>scheme://host[:port]</c>) whose pages may embed the widget and sign; empty means any.</summary>
    public string[]? AllowedOrigins { get; set; }
    /// <summary>Days after closing that signers' contact details are kept (default 90).</summary>
    public int? RetainContactDays { get; set; }
    /// <summary><c>off</c>, <c>on</c> or <c>auto</c>: whether signing needs a proof-of-work challenge.</summary>
    public string? Challenge { get; set; }
    /// <summary>The consent wording signers agree to.</summary>
    public string? ConsentText { get; set; }
    /// <summary>Confirmed counts to tell staff about, such as [100, 500, 1000]: one email each time some are passed.</summary>
    public long[]? Milestones { get; set; }
    /// <summary>The staff address milestone emails go to; without it milestones are only marked.</summary>
    public string? NotifyEmail { get; set; }
    /// <summary>The BCP 47 tag of the language the letter is written in (default <c>en</c>); translations add others. Changes only while draft.</summary>
    public string? Language { get; set; }

    public static LetterFields From(LetterRow row) => new()
    {
        Title = row.Title, Body = row.Body, Target = row.Target, OpensAt = row.OpensAt, ClosesAt = row.ClosesAt,
        TimeZone = row.TimeZone, Slug = row.Slug, Moderation = row.Moderation, AllowedOrigins = row.Origins,
        RetainContactDays = row.RetainContactDays, Challenge = row.Challenge, ConsentText = row.ConsentText,
        Milestones = row.Thresholds, NotifyEmail = row.NotifyEmail, Language = row.Language,
    };

    /// <summary>As stored; call after <see cref="ApplyDefaults"/> and validation.</summary>
    public LetterValues ToValues(string slug) => new(slug, Title!, Body!, Target!, OpensAt, ClosesAt!.Value, TimeZone!, Moderation!,
        AllowedOrigins!, RetainContactDays!.Value, Challenge!, ConsentText!, Milestones!, NotifyEmail, Language!);

    /// <summary>Fills what was left out (or cleared with null) and brings origins to one spelling.</summary>
    public void ApplyDefaults()
    {
        TimeZone ??= DefaultTimeZone;
        Moderation ??= Domain.Letters.Moderation.None;
        Challenge ??= ChallengeMode.Off;
        ConsentText ??= DefaultConsentText;
        RetainContactDays ??= 90;
        AllowedOrigins = (AllowedOrigins ?? []).Select(o => Origin.Normalise(o)!).Distinct().ToArray();
        Milestones = (Milestones ?? []).Distinct().Order().ToArray();
        NotifyEmail = Text.Blank(NotifyEmail);
        Language = LanguageTag.Normalise(Language) ?? Language ?? Words.Default;
    }
}

/// <summary>Rules a letter's fields obey whether created or patched.</summary>
public class LetterFieldsValidator<T> : Validator<T> where T : LetterFields
{
    public LetterFieldsValidator()
    {
        RuleFor(l => l.Title).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(l => l.Body).Must(LetterHtml.IsReadable).WithMessage(LetterHtml.NestingMessage);
        RuleFor(l => l.Body).NotEmpty().MaximumLength(100_000).Must(Text.HasNoControlCharacters)
            .WithMessage("must not contain control characters.");
        RuleFor(l => l.Target).NotEmpty().MaximumLength(300).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(l => l.ClosesAt).NotNull();
        RuleFor(l => l.ClosesAt).Must(c => CampaignDates.WithinReach(c, Resolve<TimeProvider>())).WithMessage(CampaignDates.WithinReachMessage);
        RuleFor(l => l.OpensAt).Must(o => CampaignDates.WithinReach(o, Resolve<TimeProvider>())).WithMessage(CampaignDates.WithinReachMessage);
        RuleFor(l => l.OpensAt).LessThan(l => l.ClosesAt).When(l => l.OpensAt is not null && l.ClosesAt is not null)
            .WithMessage("must be before closesAt.");
        RuleFor(l => l.TimeZone).Must(IsIanaTimeZone!).When(l => l.TimeZone is not null)
            .WithMessage("must be an IANA time zone such as Europe/London.");
        RuleFor(l => l.Slug).Must(LetterSlug.IsWellFormed).When(l => l.Slug is not null)
            .WithMessage("must be lower-case letters, digits and single hyphens, such as 'protect-data-2026'.");
        RuleFor(l => l.Moderation).Must(Moderations.Contains!).When(l => l.Moderation is not null)
            .WithMessage("must be one of: none, organisations, all.");
        RuleFor(l => l.Challenge).Must(Challenges.Contains!).When(l => l.Challenge is not null)
            .WithMessage("must be one of: off, on, auto.");
        RuleFor(l => l.AllowedOrigins).Must(o => o!.Length <= 50).When(l => l.AllowedOrigins is not null)
            .WithMessage("must list at most 50 origins.");
        RuleForEach(l => l.AllowedOrigins).Must(o => Origin.Normalise(o) is not null)
            .WithMessage("must be an origin: scheme://host[:port], with no path.");
        RuleFor(l => l.RetainContactDays).InclusiveBetween(1, 3650);
        RuleFor(l => l.ConsentText).NotEmpty().MaximumLength(2000).Must(Text.HasNoControlCharacters!)
            .When(l => l.ConsentText is not null).WithMessage("must be 1–2000 characters of text.");
        RuleFor(l => l.Milestones).Must(m => m!.Length <= 20 && m.All(t => t is >= 1 and <= 100_000_000)).When(l => l.Milestones is not null)
            .WithMessage("must list at most 20 counts, each from 1 to 100,000,000.");
        RuleFor(l => l.Language).Must(t => LanguageTag.Normalise(t) is not null).When(l => l.Language is not null)
            .WithMessage(LanguageTag.Message);
        RuleFor(l => l.NotifyEmail).MaximumLength(254).EmailAddress().When(l => !string.IsNullOrWhiteSpace(l.NotifyEmail))
            .WithMessage("must be an email address.");
    }

    static string[] Moderations => Domain.Letters.Moderation.Values;
    static string[] Challenges => ChallengeMode.Values;

    static bool IsIanaTimeZone(string id)
        => TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId && zone.Id == id;
}

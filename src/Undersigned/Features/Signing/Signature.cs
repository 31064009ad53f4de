using System.Net.Mail;
using System.Text.RegularExpressions;
using FastEndpoints;
using FluentValidation;
using Undersigned.Features.Letters;

namespace Undersigned.Features.Signing;

public static class SignatureStatus
{
    public const string Pending = "pending", Review = "review", Confirmed = "confirmed", Rejected = "rejected",
        Withdrawn = "withdrawn", Expired = "expired";
    public static readonly string[] All = [Pending, Review, Confirmed, Rejected, Withdrawn, Expired];
}

public static class SignatureKind
{
    public const string Individual = "individual", Organisation = "organisation";
}

/// <summary>Who signs and how they are shown; what signers send and what staff add.</summary>
public class SignerFields
{
    /// <summary><c>individual</c> or <c>organisation</c>.</summary>
    public string? Kind { get; set; }
    /// <summary>The person's name: shown for an individual; for an organisation, its contact person (never shown).</summary>
    public string? Name { get; set; }
    /// <summary>Optional role or title, such as "Director". Never shown for an organisation's contact.</summary>
    public string? Role { get; set; }
    /// <summary>The organisation: required and shown for <c>organisation</c>; an individual's optional affiliation.</summary>
    public string? Organisation { get; set; }
    /// <summary>Where the confirmation goes. Never shown publicly.</summary>
    public string? Email { get; set; }
    /// <summary>false: counted, but not listed by name.</summary>
    public bool? ShowName { get; set; }

    /// <summary>"Name (Role, Organisation)" for people, "Organisation" for organisations.</summary>
    public static string Display(string kind, string? name, string? role, string? organisation)
    {
        if (kind == SignatureKind.Organisation) return organisation ?? "";
        var affiliation = string.Join(", ", new[] { role, organisation }.Where(s => !string.IsNullOrEmpty(s)));
        return affiliation.Length == 0 ? name ?? "" : $"{name} ({affiliation})";
    }
}

public partial class SignerFieldsValidator<T> : Validator<T> where T : SignerFields
{
    public const int MaxNameLength = 120, MaxOrganisationLength = 200, MaxEmailLength = 254;

    public SignerFieldsValidator(bool emailRequired = true)
    {
        RuleFor(s => s.Kind).NotEmpty().Must(k => k is SignatureKind.Individual or SignatureKind.Organisation)
            .WithMessage("must be individual or organisation.");
        RuleFor(s => s.Name).NotEmpty().MaximumLength(MaxNameLength).Must(IsPlainName).WithMessage(PlainNameMessage);
        RuleFor(s => s.Role).MaximumLength(MaxNameLength).Must(IsPlainName).WithMessage(PlainNameMessage);
        RuleFor(s => s.Organisation).NotEmpty().When(s => s.Kind == SignatureKind.Organisation)
            .WithMessage("is required when an organisation signs.");
        RuleFor(s => s.Organisation).MaximumLength(MaxOrganisationLength).Must(IsPlainName).WithMessage(PlainNameMessage);
        if (emailRequired) RuleFor(s => s.Email).NotEmpty();
        RuleFor(s => s.Email).MaximumLength(MaxEmailLength).Must(IsEmail!).When(s => !string.IsNullOrEmpty(s.Email))
            .WithMessage("must be an email address such as name@example.org.");
        RuleFor(s => s.ShowName).NotNull().WithMessage("must say whether the name may be shown (true or false).");
    }

    public const string PlainNameMessage = "must be plain text: no line breaks, web addresses or @.";

    [GeneratedRegex(@"(https?:|www\.|://|@|\.(com|org|net|io|ru|xyz|info)\b)", RegexOptions.IgnoreCase)]
    private static partial Regex LinkLike();

    /// <summary>Names are shown to ministers and the public: no links, addresses or control characters to smuggle in.</summary>
    public static bool IsPlainName(string? text) => text is null || (Text.IsSingleLine(text) && !LinkLike().IsMatch(text));

    public static bool IsEmail(string email)
    {
        var trimmed = email.Trim();
        return MailAddress.TryCreate(trimmed, out var address) && address.Address == trimmed
            && address.Host.Contains('.') && !address.Host.StartsWith('.') && !address.Host.EndsWith('.') && Text.IsSingleLine(trimmed);
    }
}

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features;

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
}

public class SignerFieldsValidator<T> : Validator<T> where T : SignerFields
{
    public SignerFieldsValidator(bool emailRequired = true)
    {
        // Each rule's error code is the key of its words for a signer (Languages/*.json): the public form answers in those.
        RuleFor(s => s.Kind).NotEmpty().WithErrorCode(SignerWords.Kind).Must(k => k is SignatureKind.Individual or SignatureKind.Organisation)
            .WithMessage("must be individual or organisation.").WithErrorCode(SignerWords.Kind);
        RuleFor(s => s.Name).NotEmpty().WithErrorCode(SignerWords.Name).MaximumLength(Signer.MaxNameLength).WithErrorCode(SignerWords.TooLong)
            .Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage).WithErrorCode(SignerWords.Plain);
        RuleFor(s => s.Role).MaximumLength(Signer.MaxNameLength).WithErrorCode(SignerWords.TooLong)
            .Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage).WithErrorCode(SignerWords.Plain);
        RuleFor(s => s.Organisation).NotEmpty().When(s => s.Kind == SignatureKind.Organisation)
            .WithMessage("is required when an organisation signs.").WithErrorCode(SignerWords.Organisation);
        RuleFor(s => s.Organisation).MaximumLength(Signer.MaxOrganisationLength).WithErrorCode(SignerWords.TooLong)
            .Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage).WithErrorCode(SignerWords.Plain);
        if (emailRequired) RuleFor(s => s.Email).NotEmpty().WithErrorCode(SignerWords.Email);
        RuleFor(s => s.Email).MaximumLength(Signer.MaxEmailLength).WithErrorCode(SignerWords.TooLong)
            .Must(Signer.IsEmail!).WithMessage(Signer.EmailMessage).WithErrorCode(SignerWords.Email).When(s => !string.IsNullOrEmpty(s.Email));
        RuleFor(s => s.ShowName).NotNull().WithMessage("must say whether the name may be shown (true or false).").WithErrorCode(SignerWords.ShowName);
    }
}

/// <summary>
/// The keys of the words a signer reads for each kind of mistake, used as the validation rules' error codes. A failure
/// whose code is not one of these keeps its reason as it is (a client's mistake, not the signer's).
/// </summary>
public static class SignerWords
{
    public const string Kind = "error.kind", Name = "error.name", Organisation = "error.organisation", Email = "error.email",
        Disposable = "error.disposable", Consent = "error.consent", ShowName = "error.showName", TooLong = "error.tooLong",
        Plain = "error.plain", Stale = "error.stale", Summary = "error.summary";

    /// <summary>The reason a signer reads: their words for the rule where there are some, with the length allowed.</summary>
    public static string Reason(FluentValidation.Results.ValidationFailure failure, Words words)
        => failure.ErrorCode is { } code && code.StartsWith("error.") && words.Has(code)
            ? words.Format(code, ("max", failure.FormattedMessagePlaceholderValues?.GetValueOrDefault("MaxLength") ?? ""))
            : failure.ErrorMessage;
}

/// <summary>A signature gathered other than through the form, by staff or a partner: how it was given.</summary>
public class GatheredSignerFields : SignerFields
{
    /// <summary><c>paper</c> (the default), <c>event</c> or <c>email</c>.</summary>
    public string? Method { get; set; }
}

public class GatheredSignerFieldsValidator<T> : SignerFieldsValidator<T> where T : GatheredSignerFields
{
    public GatheredSignerFieldsValidator() : base(emailRequired: false)
    {
        RuleFor(s => s.Method).Must(m => SigningMethod.Gathered.Contains(m)).When(s => s.Method is not null).WithMessage("must be paper, event or email.");
    }
}

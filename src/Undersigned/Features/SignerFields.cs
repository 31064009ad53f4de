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
        RuleFor(s => s.Kind).NotEmpty().Must(k => k is SignatureKind.Individual or SignatureKind.Organisation)
            .WithMessage("must be individual or organisation.");
        RuleFor(s => s.Name).NotEmpty().MaximumLength(Signer.MaxNameLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
        RuleFor(s => s.Role).MaximumLength(Signer.MaxNameLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
        RuleFor(s => s.Organisation).NotEmpty().When(s => s.Kind == SignatureKind.Organisation)
            .WithMessage("is required when an organisation signs.");
        RuleFor(s => s.Organisation).MaximumLength(Signer.MaxOrganisationLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
        if (emailRequired) RuleFor(s => s.Email).NotEmpty();
        RuleFor(s => s.Email).MaximumLength(Signer.MaxEmailLength).Must(Signer.IsEmail!).When(s => !string.IsNullOrEmpty(s.Email))
            .WithMessage(Signer.EmailMessage);
        RuleFor(s => s.ShowName).NotNull().WithMessage("must say whether the name may be shown (true or false).");
    }
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

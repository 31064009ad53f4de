using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners;

/// <summary>A partner organisation's fields, as created or changed.</summary>
public class PartnerFields
{
    /// <summary>As the organisation calls itself, such as "Refugee Legal Group UK".</summary>
    public string? Name { get; set; }
    /// <summary>Unique; lower-case letters, digits and hyphens, such as <c>rlg-uk</c>. Partner sites' embeds carry it.</summary>
    public string? Code { get; set; }
    /// <summary>Optional: the organisation's site.</summary>
    public string? Website { get; set; }
}

public class PartnerFieldsValidator<T> : Validator<T> where T : PartnerFields
{
    public PartnerFieldsValidator()
    {
        RuleFor(p => p.Name).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(p => p.Code).NotEmpty().Must(PartnerCode.IsWellFormed)
            .WithMessage($"must be lower-case letters, digits and single hyphens, at most {PartnerCode.MaxLength} characters, such as 'rlg-uk'.");
        RuleFor(p => p.Website).MaximumLength(500).Must(w => Uri.TryCreate(w, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            .When(p => !string.IsNullOrWhiteSpace(p.Website)).WithMessage("must be an http or https address.");
    }
}

using FastEndpoints;
using FluentValidation;

namespace Undersigned.Features.Signing;

/// <summary>What the verify and withdraw pages post: the token from the emailed link's fragment.</summary>
public sealed class TokenRequest
{
    /// <summary>The token from the link's fragment (after #).</summary>
    public string? Token { get; set; }
}

public sealed class TokenRequestValidator : Validator<TokenRequest>
{
    public TokenRequestValidator() => RuleFor(r => r.Token).NotEmpty().MaximumLength(100);
}

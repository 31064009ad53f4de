using FastEndpoints;
using FluentValidation;

namespace Undersigned.Features.Signing;

/// <summary>What the verify and withdraw pages post: the token from the emailed link's fragment.</summary>
public class TokenRequest
{
    /// <summary>The token from the link's fragment (after #).</summary>
    public string? Token { get; set; }
}

public class TokenRequestValidator<T> : Validator<T> where T : TokenRequest
{
    public TokenRequestValidator() => RuleFor(r => r.Token).NotEmpty().MaximumLength(100);
}

public sealed class TokenRequestValidator : TokenRequestValidator<TokenRequest>;

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

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

/// <summary>A withdraw or stop-sharing link's token; with a preview, only which letter it is for.</summary>
public sealed class LinkRequest : TokenRequest
{
    /// <summary>true: only say which letter the link is for, changing nothing (the page names the letter before the person acts).</summary>
    public bool Preview { get; set; }
}

public sealed class LinkRequestValidator : TokenRequestValidator<LinkRequest>;

/// <summary>What a withdraw or stop-sharing link does, or with a preview which letter it is for.</summary>
public sealed class LinkResponse
{
    /// <summary><c>withdrawn</c> or <c>not-shared</c>; <c>pending</c> for a preview.</summary>
    public required string Status { get; init; }
    /// <summary>The letter's title, for a preview (in the language the signer read it in).</summary>
    public string? LetterTitle { get; init; }
    public string? LetterSlug { get; init; }
    /// <summary>The language the signer read the letter in, for a preview: the page shows its words in it.</summary>
    public string? Language { get; init; }
}

/// <summary>What a signer's link page says of the letter: its title in the language they read it in.</summary>
public static class SignerLetter
{
    public static async Task<string> TitleAsync(LettersStore letters, LetterRow letter, string? language, CancellationToken ct)
        => (await letters.FindPublishedAsync(letter.Slug, ct))?.TextIn(language)?.Title ?? letter.Title;
}

/// <summary>The preview both link pages ask for: the letter the link is for, or a 400 when the link is not valid.</summary>
public static class LinkPreview
{
    public static async Task<IResult> AnswerAsync(HttpContext http, SignaturesStore signatures, LettersStore letters, string token, bool stopSharing,
        CancellationToken ct)
        => await signatures.LetterOfLinkAsync(token, stopSharing, ct) is { } link && await letters.FindAsync(link.LetterId, ct) is { } letter
            ? Results.Json(new LinkResponse
            {
                Status = SignatureStatus.Pending, LetterTitle = await SignerLetter.TitleAsync(letters, letter, link.Language, ct),
                LetterSlug = letter.Slug, Language = link.Language ?? letter.Language,
            }, Json.Options)
            : Problems.Create(http, 400, "This link is not valid.", ("token", "is not valid."));
}

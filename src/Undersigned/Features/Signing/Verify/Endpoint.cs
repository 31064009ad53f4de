using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Signing.Verify;

public sealed class Request : TokenRequest
{
    /// <summary>true: only say what confirming would publish, changing nothing (the page shows it before the person confirms).</summary>
    public bool Preview { get; set; }
}

public sealed class Validator : TokenRequestValidator<Request>;

public sealed class Response
{
    /// <summary><c>confirmed</c>, or <c>review</c> where staff approve signatures first; <c>pending</c> for a preview.</summary>
    public required string Status { get; init; }
    public required string LetterTitle { get; init; }
    public required string LetterSlug { get; init; }
    /// <summary>How the signatory is shown on the letter: "Name (Role, Organisation)", or the organisation.</summary>
    public required string Signatory { get; init; }
    /// <summary>false: counted, not listed by name.</summary>
    public required bool ShowName { get; init; }
    /// <summary>true: the link had been used; nothing changed (a second click, or a retry after a lost answer).</summary>
    public bool AlreadyConfirmed { get; init; }
    /// <summary>The language the signer read the letter in: the page that posted the token shows its words in it.</summary>
    public required string Language { get; init; }
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, GroupCommit writer, Settings settings,
    TimeProvider clock) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/public/signatures/verify");
        AllowAnonymous();
        Description(b => b.WithName("VerifySignature").WithTags("Public")
            .WithSummary("Confirm a signature with the emailed token, or with preview say what confirming would publish")
            .WithMetadata(new RateLimited(RateLimited.Verification))
            .Produces<Response>().Problems(400, 410, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var signature = await signatures.FindByVerifyTokenAsync(request.Token!, ct);
        var letter = signature is null ? null : await letters.FindAsync(signature.LetterId, ct);
        if (signature is null || letter is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This confirmation link is not valid: it may have been used already.",
                ("token", "is not valid.")));
            return;
        }
        var title = await SignerLetter.TitleAsync(letters, letter, signature.Language, ct);
        Response Answer(string status) => new()
        {
            Status = status, LetterTitle = title, LetterSlug = letter.Slug, Signatory = signature.Display, ShowName = signature.ShowName,
            AlreadyConfirmed = signature.AlreadyConfirmed, Language = signature.Language ?? letter.Language,
        };
        if (signature.AlreadyConfirmed)
        {
            await Send.OkAsync(Answer(signature.Status), ct);
            return;
        }
        // Evaluated now, not when issued, so extending the deadline also extends the time to confirm.
        var validUntil = Min(signature.VerifyIssuedAt!.Value + SignaturesStore.VerifyTokenLifetime,
            letter.ClosesAt + TimeSpan.FromHours(settings.VerificationGraceHours)) + TimeSpan.FromMilliseconds(signature.VerifyExtendedMs);
        if (now > validUntil) // an expired signature whose deadline moved may still be confirmed
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 410, "This confirmation link has expired.", ("token", "has expired.")));
            return;
        }

        if (request.Preview)
        {
            await Send.OkAsync(Answer(SignatureStatus.Pending), ct);
            return;
        }

        // Through group commit: a spike of clicks after a mail-out costs one COMMIT per batch, like signing.
        if (await writer.WriteAsync((tx, _) => signatures.ConfirmAsync(tx, signature, letter.Moderation, now), ct) is not { } status)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This confirmation link has just been used.", ("token", "is not valid.")));
            return;
        }
        await Send.OkAsync(Answer(status), ct);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

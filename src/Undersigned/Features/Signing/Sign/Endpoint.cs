using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Pause;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Signing.Sign;

public sealed class Request : SignerFields
{
    /// <summary>Must be true: the signer agrees to the letter's consent text.</summary>
    public bool? Consent { get; set; }
    /// <summary>The text version the signer saw (from the public letter); a stale one is 409.</summary>
    public int? TextVersion { get; set; }
    /// <summary>Leave empty. A honeypot for bots: a filled one is answered as usual and nothing happens.</summary>
    public string? Website { get; set; }
    /// <summary>A solved proof-of-work challenge, where the letter asks for one.</summary>
    public string? Challenge { get; set; }
    /// <summary>The code of the partner the signer came through (the widget's <c>data-partner</c>, the page's <c>?partner=</c>).</summary>
    public string? Partner { get; set; }
    /// <summary>The answer to "let this partner contact me", where the partner asks; unticked (false) by default.</summary>
    public bool? PartnerConsent { get; set; }
    /// <summary>"Tell me what happens with this letter" (until its purge); unticked (false) by default.</summary>
    public bool? Updates { get; set; }
    /// <summary>The language the signer read the letter in (the public letter's <c>language</c>); the primary when absent.</summary>
    public string? Language { get; set; }
}

public sealed class Validator : SignerFieldsValidator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Consent).Equal(true).WithMessage("must be true: a signature needs the signer's consent.").WithErrorCode(SignerWords.Consent);
        RuleFor(r => r.TextVersion).NotNull();
        RuleFor(r => r.Website).MaximumLength(2000);
        RuleFor(r => r.Challenge).MaximumLength(2000);
        RuleFor(r => r.Partner).MaximumLength(PartnerCode.MaxLength);
        RuleFor(r => r.Language).Must(l => LanguageTag.Normalise(l) is not null).When(r => r.Language is not null).WithMessage(LanguageTag.Message);
        RuleFor(r => r.Email).Must(e => !Resolve<DisposableDomains>().Contains(e!)).When(r => !string.IsNullOrEmpty(r.Email))
            .WithMessage("uses a throwaway email service: please sign with an address you keep.").WithErrorCode(SignerWords.Disposable);
    }
}

/// <summary>The one answer to every accepted request, so nobody can learn whether an address had signed.</summary>
public sealed class Response
{
    public string Status { get; init; } = "received";
    public string Message { get; init; } = "Thank you. Check your email and confirm your signature with the link we sent.";
    public static readonly Response Received = new();
}

public sealed class Endpoint(LettersStore letters, GroupCommit writer, PauseSwitch pause, ChallengePolicy challengePolicy,
    ProofOfWork proofOfWork, BurstDetector bursts, ServiceKeys serviceKeys, PublicUrls urls, ServiceMetrics metrics, TimeProvider clock) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/public/letters/{slug}/signatures");
        AllowAnonymous();
        DontThrowIfValidationFails(); // answered below, in the signer's language
        Description(b => b.WithName("Sign").WithTags("Public")
            .WithSummary("Sign a letter; the signature counts once confirmed from the email it sends")
            .WithDescription("Answers 202 with one constant body whatever happened, including for an address that already signed.")
            .WithMetadata(new RateLimited(RateLimited.Signing))
            .Produces<Response>(202).Problems(400, 403, 404, 409, 410, 413, 415, 429, 503), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        // A signer reads problems: in the language of the letter they read where the service has its words, else their
        // browser's. Worked out only for a problem: an accepted signature needs none.
        Words Words() => Infrastructure.Words.For(request.Language, HttpContext.Request);
        if (ValidationFailed)
        {
            var words = Words();
            await Send.ResultAsync(Problems.Invalid(HttpContext, ValidationFailures, words[SignerWords.Summary], f => SignerWords.Reason(f, words)));
            return;
        }
        var now = clock.GetUtcNow();
        var published = await letters.FindPublishedAsync(Route<string>("slug")!, ct);
        var letter = published?.Row;
        AttachedPartner? partner = null;

        var paused = await pause.CurrentAsync(ct);
        var challengeRequired = false; // worked out (and the attempt counted) only once the checks before it pass
        var status = letter is null ? null : LetterStatus.Of(letter, now);
        var text = request.Language is null ? published?.Primary : published?.TextIn(request.Language);
        var problem =
            letter is null ? Problems.PublishedLetterNotFound(HttpContext)
            : !Origin.IsAllowed(HttpContext.Request.Headers.Origin, published!.Origins, OwnOrigin)
                ? Problems.Create(HttpContext, 403, "Signing this letter from this site is not allowed.")
            : paused is not null ? Problems.Create(HttpContext, 503, $"Signing is paused for now: {paused.Reason}")
            : status == LetterStatus.Scheduled
                ? Problems.Create(HttpContext, 409, $"Signing opens at {Json.Format(letter.OpensAt!.Value)}.")
            : status == LetterStatus.Closed
                ? Problems.Create(HttpContext, 410, $"Signing closed at {Json.Format(letter.ClosesAt)}.")
            : text is null && published.Translations.Any(t => !t.Hidden && t.Language.Equals(request.Language, StringComparison.OrdinalIgnoreCase))
                ? Stale(Words())
            : text is null ? Problems.Create(HttpContext, 400, "The letter is not published in this language.", ("language", "is not one of the letter's languages."))
            : request.TextVersion != text.TextVersion
                ? Stale(Words())
            : request.Partner is { Length: > 0 } code && !published.Partners.TryGetValue(code, out partner)
                ? Problems.Create(HttpContext, 400, "This partner code is not one of this letter's partners.", ("partner", "is not attached to this letter."))
            : (challengeRequired = challengePolicy.Required(letter.Id, letter.Challenge)) && proofOfWork.Check(request.Challenge, letter.Id) is { } unsolved
                ? ChallengeProblem(unsolved)
            : null;
        if (problem is not null)
        {
            if (problem.Status == 503) HttpContext.Response.RetryAfter(TimeSpan.FromMinutes(5));
            await Send.ResultAsync(problem);
            return;
        }

        if (string.IsNullOrEmpty(request.Website))
        {
            var addressHash = serviceKeys.AddressHash(RateLimits.ClientAddress(HttpContext));
            var stored = writer.TrySign(new SignatureDraft(letter!.Id, request.Kind!, request.Name!.Trim(), Text.Blank(request.Role),
                Text.Blank(request.Organisation), request.Email!.Trim(), request.ShowName!.Value, text!.TextVersion, text.ConsentVersion,
                AddressHash: addressHash, Held: bursts.IsBurst(Convert.ToHexString(addressHash)),
                Challenge: challengeRequired ? ProofOfWork.Used(request.Challenge!) : null,
                PartnerId: partner?.PartnerId, PartnerConsent: partner is { AskContactConsent: true } ? request.PartnerConsent == true : null,
                PartnerName: partner?.Name, Updates: request.Updates == true, Language: text.Language,
                ConsentLanguage: text.ConsentLanguage));
            if (stored is null)
            {
                HttpContext.Response.RetryAfter(TimeSpan.FromSeconds(5));
                await Send.ResultAsync(Problems.Create(HttpContext, 503, "Too many signatures are arriving at once, or the service is restarting: try again in a few seconds."));
                return;
            }
            if ((await stored).Outcome == SignOutcome.ChallengeUsed)
            {
                // Used through another instance, or before a restart: the database remembers what this process does not.
                await Send.ResultAsync(ChallengeProblem("has been used already: get a new one."));
                return;
            }
        }
        metrics.SignatureReceived(); // every 202 alike: the count says nothing of what became of each
        await Send.ResponseAsync(Response.Received, 202, ct);
    }

    Problem Stale(Words words) => Problems.Create(HttpContext, 409, words[SignerWords.Stale], ("textVersion", words[SignerWords.Stale]));

    Problem ChallengeProblem(string reason)
        => Problems.Create(HttpContext, 400, "This letter asks for a solved proof-of-work challenge.", ("challenge", reason));

    /// <summary>
    /// The service's own pages (the iframe embed) may always sign. Their origin is the public base URL's, not whatever the
    /// request's Host says: a client chooses its Host, and behind TLS termination the scheme seen here is not the browser's.
    /// </summary>
    string? OwnOrigin => urls.Origin;
}

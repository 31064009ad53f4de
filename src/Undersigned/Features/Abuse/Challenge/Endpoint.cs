using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Abuse.Challenge;

public sealed class Request
{
    /// <summary>The letter's slug: a challenge works for one letter only.</summary>
    public string? Letter { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Letter).NotEmpty().MaximumLength(80);
}

public sealed class Response
{
    public required string Challenge { get; init; }
    /// <summary>Leading zero bits SHA-256(UTF-8 of challenge + ":" + nonce) must have.</summary>
    public int Difficulty { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public string How { get; init; } = "Find a decimal nonce so that SHA-256 of the UTF-8 bytes of challenge + \":\" + nonce starts with " +
                                       "difficulty zero bits; send challenge + \":\" + nonce as the signature's challenge field. It works once.";
}

public sealed class Endpoint(LettersStore letters, ProofOfWork proofOfWork) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/public/challenge");
        AllowAnonymous();
        Description(b => b.WithName("GetChallenge").WithTags("Public").WithSummary("A proof-of-work challenge for signing a letter")
            .Produces<Response>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letter = await letters.FindPublishedAsync(request.Letter!, ct);
        if (letter is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        var (challenge, expiresAt) = proofOfWork.Issue(letter.Row.Id);
        HttpContext.Response.Headers.CacheControl = "no-store";
        await Send.OkAsync(new Response { Challenge = challenge, Difficulty = ProofOfWork.Difficulty, ExpiresAt = expiresAt }, ct);
    }
}

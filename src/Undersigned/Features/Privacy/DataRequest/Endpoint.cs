using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services.Abuse;
using Undersigned.Services.Privacy;

namespace Undersigned.Features.Privacy.DataRequest;

public sealed class Request
{
    /// <summary>The address to send the summary to; nothing is sent anywhere else.</summary>
    public string? Email { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Email).NotEmpty();
        RuleFor(r => r.Email).MaximumLength(Signer.MaxEmailLength).Must(e => Signer.IsEmail(e!)).When(r => !string.IsNullOrEmpty(r.Email))
            .WithMessage(Signer.EmailMessage);
    }
}

public sealed class Response
{
    public string Status { get; init; } = "received";
    public string Message { get; init; } = "If we hold anything about this address, we have emailed it a summary with links to withdraw.";
    public static readonly Response Received = new();
}

public sealed class Endpoint(DataRequests requests) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/public/data-requests");
        AllowAnonymous();
        Description(b => b.WithName("RequestData").WithTags("Privacy")
            .WithSummary("Email an address a summary of what is held about it, with withdraw links; the same answer either way")
            .WithMetadata(new RateLimited(RateLimited.DataRequests))
            .Produces<Response>(202).Problems(400, 415, 429, 503), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (!requests.TryEnqueue(request.Email!))
        {
            HttpContext.Response.RetryAfter(TimeSpan.FromMinutes(1));
            await Send.ResultAsync(Problems.Create(HttpContext, 503, "Too many requests are waiting to be answered: try again in a minute."));
            return;
        }
        await Send.ResponseAsync(Response.Received, 202, ct);
    }
}

using FastEndpoints;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Signing.Withdraw;

public sealed class Response
{
    public string Status { get; init; } = SignatureStatus.Withdrawn;
}

public sealed class Endpoint(SignaturesStore signatures) : Endpoint<TokenRequest, Response>
{
    public override void Configure()
    {
        Post("/api/public/signatures/withdraw");
        AllowAnonymous();
        Description(b => b.WithName("WithdrawSignature").WithTags("Public")
            .WithSummary("Withdraw a signature and erase the signer's personal data")
            .WithMetadata(new RateLimited(RateLimited.Verification))
            .Produces<Response>().Problems(400, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(TokenRequest request, CancellationToken ct)
    {
        if (!await signatures.WithdrawAsync(request.Token!, ct))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This withdraw link is not valid.", ("token", "is not valid.")));
            return;
        }
        await Send.OkAsync(new Response(), ct);
    }
}

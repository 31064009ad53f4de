using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Signing.Withdraw;

public sealed class Endpoint(SignaturesStore signatures, LettersStore letters) : Endpoint<LinkRequest, LinkResponse>
{
    public override void Configure()
    {
        Post("/api/public/signatures/withdraw");
        AllowAnonymous();
        Description(b => b.WithName("WithdrawSignature").WithTags("Public")
            .WithSummary("Withdraw a signature and erase the signer's personal data")
            .WithMetadata(new RateLimited(RateLimited.Verification))
            .Produces<LinkResponse>().Problems(400, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(LinkRequest request, CancellationToken ct)
    {
        if (request.Preview)
        {
            await Send.ResultAsync(await LinkPreview.AnswerAsync(HttpContext, signatures, letters, request.Token!, stopSharing: false, ct));
            return;
        }
        if (!await signatures.WithdrawAsync(request.Token!, ct))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This withdraw link is not valid.", ("token", "is not valid.")));
            return;
        }
        await Send.OkAsync(new LinkResponse { Status = SignatureStatus.Withdrawn }, ct);
    }
}

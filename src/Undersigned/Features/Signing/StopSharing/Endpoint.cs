using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.Signing.StopSharing;

/// <summary>A signer takes back their consent to the partner they came through; the signature stays.</summary>
public sealed class Endpoint(SignaturesStore signatures, LettersStore letters) : Endpoint<LinkRequest, LinkResponse>
{
    public override void Configure()
    {
        Post("/api/public/signatures/stop-sharing");
        AllowAnonymous();
        Description(b => b.WithName("StopSharingWithPartner").WithTags("Public")
            .WithSummary("Stop sharing a signer's details with the partner they came through (the link in their emails)")
            .WithMetadata(new RateLimited(RateLimited.Verification))
            .Produces<LinkResponse>().Problems(400, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(LinkRequest request, CancellationToken ct)
    {
        if (request.Preview)
        {
            await Send.ResultAsync(await LinkPreview.AnswerAsync(HttpContext, signatures, letters, request.Token!, stopSharing: true, ct));
            return;
        }
        if (!await signatures.StopSharingAsync(request.Token!, ct))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This link is not valid.", ("token", "is not valid.")));
            return;
        }
        await Send.OkAsync(new LinkResponse { Status = "not-shared" }, ct);
    }
}

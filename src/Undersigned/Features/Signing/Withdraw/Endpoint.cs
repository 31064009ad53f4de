using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signing.Withdraw;

public sealed class Response
{
    public string Status { get; init; } = SignatureStatus.Withdrawn;
}

public sealed class Endpoint(Db db) : Endpoint<TokenRequest, Response>
{
    public override void Configure()
    {
        Post("/api/public/signatures/withdraw");
        AllowAnonymous();
        Description(b => b.WithName("WithdrawSignature").WithTags("Public")
            .WithSummary("Withdraw a signature and erase the signer's personal data")
            .WithMetadata(new Abuse.RateLimited(Abuse.RateLimited.Verification))
            .Produces<Response>().Problems(400, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(TokenRequest request, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        var id = await connection.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM signatures WHERE withdraw_token_hash = @hash", new { hash = Token.Hash(request.Token!) }, tx);
        if (id is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This withdraw link is not valid.", ("token", "is not valid.")));
            return;
        }
        await Erasure.EraseAsync(connection, tx, id.Value);
        await tx.CommitAsync(ct);
        await Send.OkAsync(new Response(), ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Count;

public sealed class Response
{
    /// <summary>Confirmed signatories, named or not.</summary>
    public long Confirmed { get; init; }
    /// <summary>When the count was read.</summary>
    public DateTimeOffset AsOf { get; init; }
}

/// <summary>A letter's count alone, for widgets and other sites' counters: small, and cacheable like the letter.</summary>
public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, Settings settings, TimeProvider clock) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/public/letters/{slug}/count");
        AllowAnonymous();
        Description(b => b.WithName("GetPublicCount").WithTags("Public").WithSummary("A published letter's confirmed count")
            .Produces<Response>().Produces(304).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var letter = (await letters.FindPublishedAsync(Route<string>("slug")!, ct))?.Row;
        if (letter is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        var (counts, listVersion) = await signatures.PublicCountsAsync(letter.Id, ct);
        // Weak: two answers with the same count differ only in asOf.
        if (PublicCache.IsCurrent(HttpContext, settings, "W/" + PublicCache.ETag(letter.Id, counts.Total, listVersion)))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        await Send.OkAsync(new Response { Confirmed = counts.Total, AsOf = Json.Truncate(clock.GetUtcNow()) }, ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Get;

public sealed class Endpoint(LettersStore letters, LetterReader reader, TimeProvider clock) : EndpointWithoutRequest<LetterResponse>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("GetLetter").WithTags("Letters")
            .WithSummary("Read a letter with its text versions and deadline history")
            .Produces<LetterResponse>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var row = await letters.FindAsync(Route<long>("id"), ct);
        if (row is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        HttpContext.Response.Headers.ETag = row.ETag;
        await Send.OkAsync(await reader.OfAsync(row, clock.GetUtcNow(), ct), ct);
    }
}

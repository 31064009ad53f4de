using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Outcomes.List;

public sealed class Response
{
    public required Outcome[] Items { get; init; }
}

public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/outcomes");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListOutcomes").WithTags("Outcomes").WithSummary("A letter's outcomes, newest first")
            .Produces<Response>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var letterId = Route<long>("id");
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        await Send.OkAsync(new Response { Items = await letters.OutcomesAsync(letterId, ct) }, ct);
    }
}

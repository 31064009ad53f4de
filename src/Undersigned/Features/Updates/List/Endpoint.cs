using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Updates.List;

public sealed class Response
{
    public required List<LetterUpdate> Items { get; init; }
}

public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/updates");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListUpdates").WithTags("Updates").WithSummary("The updates sent to a letter's signers, newest first")
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
        await Send.OkAsync(new Response { Items = await letters.UpdatesAsync(letterId, ct) }, ct);
    }
}

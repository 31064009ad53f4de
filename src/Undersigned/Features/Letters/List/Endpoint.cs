using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(LettersStore letters, LetterReader reader, TimeProvider clock) : Endpoint<Request, Page<LetterResponse>>
{
    public override void Configure()
    {
        Get("/api/letters");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListLetters").WithTags("Letters").WithSummary("List letters, newest first")
            .Produces<Page<LetterResponse>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var page = Paging.Of(await letters.ListAsync(request.CursorKey, request.Take + 1, ct), request.Take, r => r.Id);
        await Send.OkAsync(new(await reader.ListAsync(page.Items, clock.GetUtcNow(), ct), page.NextCursor), ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(ApiKeysStore keys) : Endpoint<Request, Page<KeyResponse>>
{
    public override void Configure()
    {
        Get("/api/keys");
        Roles(Role.Admin);
        Description(b => b.WithName("ListKeys").WithTags("Keys").WithSummary("List API keys, revoked ones included, newest first")
            .Produces<Page<KeyResponse>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        await Send.OkAsync(Paging.Of(await keys.ListAsync(request.CursorKey, request.Take + 1, ct), request.Take, k => k.Id), ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(WebhooksStore webhooks) : Endpoint<Request, Page<WebhookRow>>
{
    public override void Configure()
    {
        Get("/api/webhooks");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListWebhooks").WithTags("Webhooks")
            .WithSummary("Registered endpoints, oldest first, with why any is failing or disabled")
            .Produces<Page<WebhookRow>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
        => await Send.OkAsync(Paging.Of(await webhooks.ListAsync(request.CursorKey, request.Take + 1, ct), request.Take, w => w.Id), ct);
}

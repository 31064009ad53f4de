using FastEndpoints;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.Deliveries;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(WebhooksStore webhooks) : Endpoint<Request, Page<DeliveryRow>>
{
    public override void Configure()
    {
        Get("/api/webhooks/{id:long}/deliveries");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListWebhookDeliveries").WithTags("Webhooks")
            .WithSummary("An endpoint's deliveries, newest first, with each one's status code, timing and error")
            .Produces<Page<DeliveryRow>>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var id = Route<long>("id");
        if (await webhooks.FindAsync(id, ct) is null)
        {
            await Send.ResultAsync(WebhookSecret.NotFound(HttpContext));
            return;
        }
        await Send.OkAsync(Paging.Of(await webhooks.DeliveriesAsync(id, request.CursorKey, request.Take + 1, ct), request.Take, d => d.Id), ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.Redeliver;

/// <summary>Queues the delivery's event again, with the same id; its body is built from what is stored when it is sent.</summary>
public sealed class Endpoint(WebhooksStore webhooks, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest<DeliveryRow>
{
    public override void Configure()
    {
        Post("/api/webhooks/{id:long}/deliveries/{deliveryId:long}/redeliver");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("RedeliverWebhook").WithTags("Webhooks")
            .WithSummary("Send a delivery's event again, with the same event id")
            .Produces<DeliveryRow>(202).Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var (id, deliveryId) = (Route<long>("id"), Route<long>("deliveryId"));
        if (await webhooks.FindAsync(id, ct) is not { } webhook)
        {
            await Send.ResultAsync(WebhookSecret.NotFound(HttpContext));
            return;
        }
        if (webhook.DisabledAt is not null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "This endpoint is disabled: ping it, and a success enables it again."));
            return;
        }
        var now = clock.GetUtcNow();
        if (await webhooks.RedeliverAsync(id, deliveryId, now, ct) is not { } delivery)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This webhook has no delivery with this id."));
            return;
        }
        await audit.RecordAsync(null, now, User.KeyId(), "webhook.redeliver", null, details: new { id, deliveryId, delivery.EventId }, ct: ct);
        await Send.ResponseAsync(delivery, 202, ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.Ping;

/// <summary>Queues a <c>ping</c> event; its delivery shows in the endpoint's deliveries. A disabled endpoint is pinged too, and a success enables it again.</summary>
public sealed class Endpoint(WebhooksStore webhooks, TimeProvider clock) : EndpointWithoutRequest<DeliveryRow>
{
    public override void Configure()
    {
        Post("/api/webhooks/{id:long}/ping");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("PingWebhook").WithTags("Webhooks")
            .WithSummary("Send a test event (a success enables a disabled endpoint again)")
            .Produces<DeliveryRow>(202).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = Route<long>("id");
        if (await webhooks.FindAsync(id, ct) is null)
        {
            await Send.ResultAsync(WebhookSecret.NotFound(HttpContext));
            return;
        }
        await Send.ResponseAsync(await webhooks.PingAsync(id, clock.GetUtcNow(), ct), 202, ct);
    }
}

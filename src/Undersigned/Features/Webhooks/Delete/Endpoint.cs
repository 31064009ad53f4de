using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.Delete;

public sealed class Endpoint(WebhooksStore webhooks, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/webhooks/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteWebhook").WithTags("Webhooks").WithSummary("Remove an endpoint, with its queue and record")
            .Produces(204).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = Route<long>("id");
        if (!await webhooks.DeleteAsync(id, ct))
        {
            await Send.ResultAsync(WebhookSecret.NotFound(HttpContext));
            return;
        }
        await audit.RecordAsync(null, clock.GetUtcNow(), User.KeyId(), "webhook.delete", null, details: new { id }, ct: ct);
        await Send.NoContentAsync(ct);
    }
}

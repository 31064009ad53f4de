using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks.RotateSecret;

public sealed class Endpoint(WebhooksStore webhooks, ServiceKeys serviceKeys, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest<WebhookWithSecret>
{
    public static readonly TimeSpan Overlap = TimeSpan.FromHours(24);

    public override void Configure()
    {
        Post("/api/webhooks/{id:long}/rotate-secret");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("RotateWebhookSecret").WithTags("Webhooks")
            .WithSummary("A new signing secret, shown once; the old one also signs for 24 hours")
            .Produces<WebhookWithSecret>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var id = Route<long>("id");
        var now = clock.GetUtcNow();
        var secret = WebhookSecret.New();
        if (await webhooks.RotateSecretAsync(id, serviceKeys.SealWebhookSecret(secret), now + Overlap, ct) is not { } webhook)
        {
            await Send.ResultAsync(WebhookSecret.NotFound(HttpContext));
            return;
        }
        await audit.RecordAsync(null, now, User.KeyId(), "webhook.rotate_secret", null, details: new { id }, ct: ct);
        await Send.OkAsync(new WebhookWithSecret(webhook, secret), ct);
    }
}

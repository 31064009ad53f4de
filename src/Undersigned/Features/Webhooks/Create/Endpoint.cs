using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;
using Undersigned.Services.Webhooks;

namespace Undersigned.Features.Webhooks.Create;

public sealed class Request
{
    /// <summary>Where events are posted: <c>https</c>, port 443, a public address (checked now and at every delivery).</summary>
    public string? Url { get; set; }
    /// <summary>Which of <c>signature.confirmed</c>, <c>signature.withdrawn</c>, <c>letter.published</c>, <c>letter.deadline_changed</c>, <c>letter.closed</c>, <c>letter.milestone</c> it receives.</summary>
    public string[]? Events { get; set; }
    /// <summary>For a partner's endpoint: it receives only that partner's signatures (with contact details of those who agreed) and letters.</summary>
    public long? PartnerId { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        // Separate rules: a When() on a chain turns off the whole chain, required checks included.
        RuleFor(r => r.Url).NotEmpty().MaximumLength(2000);
        RuleFor(r => r.Url).CustomAsync(async (url, context, ct) =>
        {
            if (await Resolve<WebhookGuard>().RefusalAsync(url!, ct) is { } refusal) context.AddFailure("url", refusal);
        }).When(r => !string.IsNullOrEmpty(r.Url) && r.Url.Length <= 2000);
        RuleFor(r => r.Events).NotEmpty();
        RuleFor(r => r.Events)
            .Must(events => events!.All(WebhookEvent.Subscribable.Contains) && events!.Distinct().Count() == events!.Length)
            .When(r => r.Events is { Length: > 0 })
            .WithMessage($"must be one or more of {string.Join(", ", WebhookEvent.Subscribable)}, each once.");
    }
}

public sealed class Endpoint(WebhooksStore webhooks, PartnersStore partners, ServiceKeys serviceKeys, AuditStore audit, TimeProvider clock)
    : Endpoint<Request, WebhookWithSecret>
{
    public override void Configure()
    {
        Post("/api/webhooks");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("CreateWebhook").WithTags("Webhooks")
            .WithSummary("Register an endpoint; its signing secret is shown once")
            .Produces<WebhookWithSecret>(201).Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        if (request.PartnerId is { } partnerId && await partners.FindAsync(partnerId, ct) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "Some fields are not valid.", ("partnerId", "names no partner.")));
            return;
        }
        var now = clock.GetUtcNow();
        var secret = WebhookSecret.New();
        var webhook = await webhooks.CreateAsync(request.Url!, request.Events!, request.PartnerId, serviceKeys.SealWebhookSecret(secret), User.KeyId(), now, ct);
        await audit.RecordAsync(null, now, User.KeyId(), "webhook.create", null, details: new { webhook.Id, webhook.Url, webhook.Events, webhook.PartnerId }, ct: ct);
        HttpContext.Response.Headers.Location = $"/api/webhooks/{webhook.Id}";
        await Send.ResponseAsync(new WebhookWithSecret(webhook, secret), 201, ct);
    }
}

using Undersigned.Infrastructure;

namespace Undersigned.Services.Webhooks;

public static class WebhookServices
{
    /// <summary>The webhook sender, with the guard that keeps deliveries out of private networks.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSettings<WebhookSettings>("Undersigned:Webhooks");
        services.AddSingleton<HostResolver>();
        services.AddSingleton<WebhookGuard>();
        services.AddSingleton<WebhookPayloads>();
        services.AddHostedService<WebhookSender>();
        return services;
    }
}

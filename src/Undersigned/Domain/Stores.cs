using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Pause;
using Undersigned.Domain.Service;
using Undersigned.Domain.Signatures;
using Undersigned.Domain.Webhooks;

namespace Undersigned.Domain;

public static class Stores
{
    /// <summary>The stores: each the only reader and writer of its aggregate's tables, and the owner of what follows a change to them.</summary>
    public static IServiceCollection AddStores(this IServiceCollection services)
    {
        services.AddSingleton<LettersStore>();
        services.AddSingleton<LetterKeys>();
        services.AddSingleton<LetterUpdates>();
        services.AddSingleton<MilestoneNotices>();
        services.AddSingleton<SignaturesStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<ApiKeysStore>();
        services.AddSingleton<AdminKeyBootstrap>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<PauseSwitch>();
        services.AddSingleton<PartnersStore>();
        services.AddSingleton<WebhooksStore>();
        services.AddSingleton<ServiceStateStore>();
        return services;
    }
}

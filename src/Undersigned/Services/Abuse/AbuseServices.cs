using Undersigned.Infrastructure;

namespace Undersigned.Services.Abuse;

public static class AbuseServices
{
    /// <summary>Rate limits, burst detection, the partners' hourly entry limit, disposable domains and proof of work.</summary>
    public static IServiceCollection AddAbuseResistance(this IServiceCollection services)
    {
        services.AddSettings<RateLimitSettings>("Undersigned:RateLimits");
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<RateLimitSettings, TimeProvider>(RateLimits.Configure);
        services.AddSingleton<BurstDetector>();
        services.AddSingleton<PartnerEntryLimit>();
        services.AddSingleton(provider => new DisposableDomains(provider.GetRequiredService<IConfiguration>()["Undersigned:DisposableDomainsFile"]
                                                                ?? Path.Combine(AppContext.BaseDirectory, "disposable-domains.txt")));
        services.AddSingleton<ProofOfWork>();
        services.AddSingleton<ChallengePolicy>();
        return services;
    }
}

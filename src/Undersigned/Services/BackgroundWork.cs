using Undersigned.Services.Privacy;
using Undersigned.Services.Retention;

namespace Undersigned.Services;

public static class BackgroundWork
{
    /// <summary>
    /// The signature writer and the loops that run beside the requests (retention, erasure replay, change notices, data
    /// requests), with the registry that watches them all (<see cref="Loops"/>).
    /// </summary>
    public static IServiceCollection AddBackgroundWork(this IServiceCollection services)
    {
        services.AddSingleton<Loops>();
        services.AddSingleton<GroupCommit>();
        services.AddHostedService(provider => provider.GetRequiredService<GroupCommit>());
        services.AddHostedService<RetentionService>();
        services.AddSingleton<ErasureReplay>();
        services.AddHostedService<ChangeListener>();
        services.AddSingleton<DataRequests>();
        services.AddHostedService(provider => provider.GetRequiredService<DataRequests>());
        return services;
    }
}

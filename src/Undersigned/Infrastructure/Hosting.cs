namespace Undersigned.Infrastructure;

/// <summary>The host's own set-up and the database: what every other area's registrations build on.</summary>
public static class Hosting
{
    /// <summary>
    /// Defaults that hold however the service is started: a service manager may start it from a folder without
    /// appsettings.json, and a line per request would bury what matters. appsettings.json and the environment still win.
    /// </summary>
    public static WebApplicationBuilder UseServiceDefaults(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            },
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Limits.MaxRequestBody;
        });
        if (builder.Configuration["ASPNETCORE_URLS"] is null && builder.Configuration["urls"] is null)
            builder.WebHost.UseUrls("http://localhost:5080");
        return builder;
    }

    /// <summary>A settings class bound to its configuration section when first needed, so test hosts and environment variables both apply.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, string section) where T : class, new()
        => services.AddSingleton(provider => provider.GetRequiredService<IConfiguration>().GetSection(section).Get<T>() ?? new T());

    /// <summary>The settings, the database (SQLite by default), its migrations, the clock and the service's keys.</summary>
    public static IServiceCollection AddDatabase(this IServiceCollection services)
    {
        services.AddSettings<Settings>("Undersigned");
        services.AddSettings<OrganisationSettings>("Undersigned:Organisation");
        services.AddSingleton(provider => new Db(provider.GetRequiredService<IConfiguration>().GetConnectionString("Undersigned")
                                                 ?? "Data Source=data/undersigned.db", provider.GetRequiredService<ILogger<Db>>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Migrator>();
        services.AddSingleton(provider => ServiceKeys.Load(provider.GetRequiredService<Settings>(),
            provider.GetRequiredService<IHostEnvironment>(), provider.GetRequiredService<Db>().Engine, provider.GetRequiredService<ILogger<ServiceKeys>>()));
        services.AddSingleton<ErasureRecord>();
        services.AddSingleton<ChangeNotices>();
        return services;
    }
}

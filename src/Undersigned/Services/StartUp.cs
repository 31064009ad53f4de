using Undersigned.Domain.Keys;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Service;
using Undersigned.Infrastructure;
using Undersigned.Services.Mail;
using Undersigned.Services.Retention;

namespace Undersigned.Services;

/// <summary>What happens before the service takes requests, in order; a problem an operator must fix stops it with one line.</summary>
public static class StartUp
{
    /// <summary>Checks the configuration, migrates, makes sure of the admin key and the data key; returns the exit code when start-up fails.</summary>
    public static async Task<int?> PrepareAsync(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ILogger<Program>>();
        LetterHtml.Log = log;
        log.LogInformation("Undersigned starting in {Environment}", app.Environment.EnvironmentName);
        try
        {
            CheckConfiguration(app, app.Services.GetRequiredService<Settings>(), app.Services.GetRequiredService<SmtpSettings>(),
                app.Services.GetRequiredService<MailSettings>());
            await app.Services.GetRequiredService<Migrator>().ApplyAsync();
            await app.Services.GetRequiredService<AdminKeyBootstrap>().EnsureAsync();
            // A restored backup forgets again whoever withdrew or was purged since it was taken.
            await app.Services.GetRequiredService<ErasureReplay>().RunAsync();
            // Create or read the data key now, not on the first signature, and refuse one the database was not encrypted with.
            await app.Services.GetRequiredService<ServiceStateStore>().CheckServiceKeyAsync(app.Services.GetRequiredService<ServiceKeys>().Fingerprint);
            return null;
        }
        catch (StartupException e)
        {
            // One line naming the setting, and exit code 1: no stack trace for an operator to read past.
            log.LogCritical("{Problem}", e.Message);
            await Console.Error.WriteLineAsync(e.Message);
            if (app.Environment.IsDevelopment()) throw; // a developer's debugger (and the tests' host) gets the exception
            return 1;
        }
    }

    /// <summary>Fails start-up with a clear message on configuration that cannot work.</summary>
    public static void CheckConfiguration(WebApplication app, Settings settings, SmtpSettings smtp, MailSettings mail)
    {
        if (app.Environment.IsProduction() && string.IsNullOrWhiteSpace(smtp.Host) && string.IsNullOrWhiteSpace(mail.PickupDirectory))
            app.Logger.LogWarning("No mail is sent: Undersigned__Smtp__Host is not set, so every email (with signers' addresses and links) " +
                                  "is written to the folder {PickupDirectory}. Set Undersigned__Smtp__Host, or Undersigned__Mail__PickupDirectory " +
                                  "if a folder is meant.", Path.GetFullPath(Path.Combine(settings.DataDirectory, "mail")));
        if (app.Environment.IsProduction() && string.IsNullOrWhiteSpace(settings.PublicBaseUrl))
            throw new StartupException(
                "Undersigned__PublicBaseUrl is required in Production: links in emails and the widget are built from it.");
        if (settings.PublicBaseUrl is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var publicUrl) || publicUrl.Scheme is not ("http" or "https"))
                throw new StartupException($"Undersigned__PublicBaseUrl '{url}' is not an absolute http or https URL.");
            // One-click unsubscribe and every signer's link would go out over plain http.
            if (app.Environment.IsProduction() && publicUrl.Scheme == "http" && !publicUrl.IsLoopback && !settings.AllowHttpPublicBaseUrl)
                throw new StartupException($"Undersigned__PublicBaseUrl '{url}' is http on a public host: use https, or set " +
                                           "Undersigned__AllowHttpPublicBaseUrl=true if TLS really ends in front of an http address.");
        }
        _ = ClientAddresses.ForwardedHeaders(settings); // known proxies that are not addresses stop start-up here, with the others
        if (smtp.Host is { Length: > 0 } && smtp.GreetingName(settings.PublicBaseUrl, mail.From) is var greeting && !SmtpSettings.IsFullyQualified(greeting))
            app.Logger.LogWarning("The service greets the mail relay as '{Greeting}', which is not a fully-qualified name: many relays refuse it, " +
                                  "and mail waits until they accept. Set Undersigned__Smtp__LocalDomain to this service's mail host name.", greeting);
        if (string.IsNullOrWhiteSpace(settings.KnownProxies) && !app.Environment.IsDevelopment())
            app.Logger.LogWarning("Undersigned__KnownProxies is not set: X-Forwarded-For is ignored and each connection's own address is " +
                                  "the client's. Behind a proxy, every signer would then share the proxy's address.");
    }

}

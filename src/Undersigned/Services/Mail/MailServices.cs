using Undersigned.Infrastructure;

namespace Undersigned.Services.Mail;

public static class MailServices
{
    /// <summary>The outbox's sender and its transport: the SMTP relay when one is configured, else the pickup folder.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddSettings<SmtpSettings>("Undersigned:Smtp");
        services.AddSettings<MailSettings>("Undersigned:Mail");
        services.AddSingleton<IMailTransport>(provider =>
        {
            var smtp = provider.GetRequiredService<SmtpSettings>();
            return smtp.Host is { Length: > 0 }
                ? new SmtpTransport(smtp, smtp.GreetingName(provider.GetRequiredService<Settings>().PublicBaseUrl, provider.GetRequiredService<MailSettings>().From))
                : new PickupDirectoryTransport(provider.GetRequiredService<MailSettings>().PickupDirectory
                                               ?? Path.Combine(provider.GetRequiredService<Settings>().DataDirectory, "mail"));
        });
        services.AddSingleton<OutboxSignal>();
        services.AddHostedService<OutboxSender>();
        return services;
    }
}

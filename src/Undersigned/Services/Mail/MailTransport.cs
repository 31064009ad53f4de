using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Undersigned.Services.Mail;

public sealed class SmtpSettings
{
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary><c>None</c>, <c>StartTls</c> or <c>SslOnConnect</c>.</summary>
    public string Security { get; set; } = "StartTls";
    /// <summary>The name the service greets the relay with (EHLO); see <see cref="GreetingName"/>.</summary>
    public string? LocalDomain { get; set; }

    /// <summary>
    /// Hardened relays refuse a greeting that is not a fully-qualified name (the machine's bare host name, which MailKit
    /// would send), so: <see cref="LocalDomain"/>, else the public base URL's host when fully qualified, else the From domain.
    /// </summary>
    public string GreetingName(string? publicBaseUrl, string from)
        => LocalDomain is { Length: > 0 } configured ? configured.Trim()
            : Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var url) && IsFullyQualified(url.IdnHost) ? url.IdnHost
            : MailSettings.Domain(from);

    /// <summary>A DNS name of two labels or more (not an address literal, not a bare host name).</summary>
    public static bool IsFullyQualified(string name)
        => Uri.CheckHostName(name) == UriHostNameType.Dns && name.Trim('.').Contains('.');
}

public sealed class MailSettings
{
    public string? PickupDirectory { get; set; }
    public string From { get; set; } = "Undersigned <no-reply@localhost>";

    /// <summary>The domain of an address such as <c>Name &lt;user@domain&gt;</c>; Message-Ids are made in it.</summary>
    public static string Domain(string from) => MailboxAddress.TryParse(from, out var mailbox) && mailbox.Domain is { Length: > 0 } domain ? domain : "localhost";
}

/// <summary>Where mail goes: an SMTP server, or with none configured, <c>.eml</c> files in a folder.</summary>
public interface IMailTransport : IAsyncDisposable
{
    Task SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>Keeps one SMTP connection open and sends every message over it; reconnects after a failure.</summary>
public sealed class SmtpTransport(SmtpSettings settings, string greetingName) : IMailTransport
{
    readonly SmtpClient client = new() { Timeout = 30_000, LocalDomain = greetingName };

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        try
        {
            if (!client.IsConnected)
            {
                var security = Enum.TryParse<SecureSocketOptions>(settings.Security, ignoreCase: true, out var s) ? s : SecureSocketOptions.StartTls;
                await client.ConnectAsync(settings.Host, settings.Port, security, ct);
                if (!string.IsNullOrEmpty(settings.Username)) await client.AuthenticateAsync(settings.Username, settings.Password, ct);
            }
            await client.SendAsync(message, ct);
        }
        catch
        {
            if (client.IsConnected) await client.DisconnectAsync(quit: false, CancellationToken.None);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (client.IsConnected) await client.DisconnectAsync(quit: true, CancellationToken.None);
        client.Dispose();
    }
}

public sealed class PickupDirectoryTransport(string directory) : IMailTransport
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Each file holds an address and live links: readable by the service's user only, in a folder only it can list.</summary>
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        File.SetUnixFileMode(directory, OwnerOnly | UnixFileMode.UserExecute); // a folder made earlier, more open
        var path = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}.eml");
        await using (var file = new FileStream(path + ".tmp", new FileStreamOptions
                     {
                         Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly,
                     }))
            await message.WriteToAsync(file, ct);
        File.Move(path + ".tmp", path); // whole files only: a reader never sees half a message
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

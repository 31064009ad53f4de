using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Undersigned.Infrastructure;

public static class Limits
{
    public const long MaxRequestBody = 256 * 1024;
}

/// <summary>Configuration the service cannot start with: one line naming the setting, exit code 1, no stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);

public static class Startup
{
    /// <summary>Fails start-up with a clear message on configuration that cannot work.</summary>
    public static void CheckConfiguration(WebApplication app, Settings settings, Services.Mail.SmtpSettings smtp, Services.Mail.MailSettings mail)
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
        _ = ForwardedHeaders(settings); // known proxies that are not addresses stop start-up here, with the others
        if (smtp.Host is { Length: > 0 } && smtp.GreetingName(settings.PublicBaseUrl, mail.From) is var greeting && !Services.Mail.SmtpSettings.IsFullyQualified(greeting))
            app.Logger.LogWarning("The service greets the mail relay as '{Greeting}', which is not a fully-qualified name: many relays refuse it, " +
                                  "and mail waits until they accept. Set Undersigned__Smtp__LocalDomain to this service's mail host name.", greeting);
        if (string.IsNullOrWhiteSpace(settings.KnownProxies) && !app.Environment.IsDevelopment())
            app.Logger.LogWarning("Undersigned__KnownProxies is not set: X-Forwarded-For is ignored and each connection's own address is " +
                                  "the client's. Behind a proxy, every signer would then share the proxy's address.");
    }

    /// <summary>X-Forwarded-For is trusted only from the configured proxies, never by default (not even from loopback).</summary>
    public static ForwardedHeadersOptions ForwardedHeaders(Settings settings)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in (settings.KnownProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            options.KnownProxies.Add(IPAddress.TryParse(address, out var ip) ? ip
                : throw new StartupException($"Undersigned__KnownProxies: '{address}' is not an IP address."));
        // Each trusted proxy adds one entry: reading further back would take an address the client wrote itself.
        options.ForwardLimit = options.KnownProxies.Count;
        return options;
    }
}

/// <summary>Turns request errors (oversized body, wrong content type) into problems, and anything unexpected into a bare 500.</summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    static readonly string[] BodyMethods = ["POST", "PUT", "PATCH"];

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.ContentLength > Limits.MaxRequestBody)
        {
            // The unread body makes the connection unusable: say so, so the client does not send its next request on it.
            http.Response.Headers.Connection = "close";
            await Problems.WriteAsync(http, 413, $"Request bodies are limited to {Limits.MaxRequestBody / 1024} KB.");
            return;
        }
        // RFC 8058's one-click unsubscribe is the one form post: mail clients send "List-Unsubscribe=One-Click" form-encoded.
        if (BodyMethods.Contains(request.Method) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            && !request.HasJsonContentType() && request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase) != true
            && !request.Path.Equals("/unsubscribe", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(http, 415, "Send the body as application/json.");
            return;
        }

        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            if (e.StatusCode == 413) http.Response.Headers.Connection = "close";
            await Problems.WriteAsync(http, e.StatusCode,
                e.StatusCode == 413 ? $"Request bodies are limited to {Limits.MaxRequestBody / 1024} KB." : "The request could not be read.");
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested && Transient.Is(e))
        {
            // The database (or what it needs) did not answer: nothing was stored, and the client may try again.
            log.LogWarning("{Method} {Path} answered 503: {Exception}", request.Method, request.Path, (e.InnerException ?? e).GetType().Name);
            http.Response.Clear();
            http.Response.RetryAfter(TimeSpan.FromSeconds(5));
            await Problems.WriteAsync(http, 503, "The service cannot reach its database just now: try again in a few seconds.");
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // The exception's message may quote request data, so only its type is logged beside the stack.
            log.LogError("Unhandled {Exception} on {Method} {Path}\n{Stack}", e.GetType().Name, request.Method, request.Path, e.StackTrace);
            http.Response.Clear();
            await Problems.WriteAsync(http, 500, "Something went wrong on our side. It has been logged.");
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Undersigned.Infrastructure;

/// <summary>Whose address a request comes from.</summary>
public static class ClientAddresses
{
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

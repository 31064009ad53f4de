using System.Net;
using System.Net.Sockets;

namespace Undersigned.Services.Webhooks;

/// <summary>The <c>Undersigned:Webhooks</c> settings.</summary>
public sealed class WebhookSettings
{
    /// <summary>Lets webhooks reach loopback and private addresses, on any port (tests, internal deployments).</summary>
    public bool AllowPrivateNetworks { get; set; }
    /// <summary>Lets webhooks use plain <c>http</c>.</summary>
    public bool AllowHttp { get; set; }
}

/// <summary>Host names to addresses; a test replaces it to play a host that changes its answer.</summary>
public class HostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct) => Dns.GetHostAddressesAsync(host, ct);
}

/// <summary>Refused because of where the URL leads; the message says why, for staff.</summary>
public sealed class WebhookRefusedException(string message) : Exception(message);

/// <summary>
/// Keeps webhooks from being turned against the network the service runs in: a URL must be <c>https</c> on port 443 with
/// no user-info, and connects only to a public address. The address is resolved and checked when a connection is made,
/// and the connection goes to exactly that address, so a host that answers differently later (DNS rebinding) gains nothing.
/// </summary>
public sealed class WebhookGuard(WebhookSettings settings, HostResolver resolver)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>What is wrong with the URL itself (scheme, port, user-info), or null.</summary>
    public string? ShapeRefusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            return "must be an absolute https URL.";
        if (uri.Scheme == "http" && !settings.AllowHttp) return "must use https.";
        if (uri.UserInfo.Length > 0) return "must not carry a user name or password.";
        if (uri.Fragment.Length > 0) return "must not have a fragment.";
        if (!uri.IsDefaultPort && !settings.AllowPrivateNetworks) return "must use the default port (443).";
        return null;
    }

    /// <summary>What is wrong with the URL or the addresses its host has now, or null: checked at registration.</summary>
    public async Task<string?> RefusalAsync(string url, CancellationToken ct)
    {
        if (ShapeRefusal(url) is { } refusal) return refusal;
        var uri = new Uri(url);
        try
        {
            await CheckedAddressAsync(uri.IdnHost, ct);
            return null;
        }
        catch (WebhookRefusedException e)
        {
            return e.Message;
        }
        catch (SocketException)
        {
            return "names a host that could not be resolved.";
        }
    }

    /// <summary>The address to connect to: every address the host has must be allowed (one that is not is a reason to refuse).</summary>
    async Task<IPAddress> CheckedAddressAsync(string host, CancellationToken ct)
    {
        var literal = host.Trim('[', ']');
        var addresses = IPAddress.TryParse(literal, out var address) ? [address] : await resolver.ResolveAsync(host, ct);
        if (addresses.Length == 0) throw new WebhookRefusedException("names a host with no address.");
        foreach (var candidate in addresses)
            if (!Allowed(candidate))
                throw new WebhookRefusedException($"leads to {candidate}, which is not a public internet address.");
        return addresses[0];
    }

    bool Allowed(IPAddress address)
        => settings.AllowPrivateNetworks ? !(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || IsMulticast(address)) : IsPublic(address);

    static bool IsMulticast(IPAddress address)
        => address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224 and < 240);

    /// <summary>
    /// Public unicast only. IPv4 inside IPv6 (mapped, compatible, NAT64 64:ff9b::/96, 6to4) is judged by that IPv4, so a
    /// private address cannot be dressed up as a public one.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return IsPublicV4(address.GetAddressBytes());
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && (b[10], b[11]) is (0xff, 0xff) or (0, 0)) return IsPublicV4(b[12..]); // mapped, compatible, ::, ::1
        if (b is [0, 0x64, 0xff, 0x9b, ..])
            return b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0 && IsPublicV4(b[12..]); // NAT64; the local-use 64:ff9b:1::/48 is not public
        if (b is [0x20, 0x02, ..]) return IsPublicV4(b[2..6]); // 6to4
        if ((b[0] & 0xe0) != 0x20) return false; // outside global unicast 2000::/3: ULA, link-local, multicast, reserved
        if (b is [0x20, 0x01, 0x00, < 0x02, ..]) return false; // 2001::/23 protocol assignments: Teredo, benchmarking, ORCHID
        if (b is [0x20, 0x01, 0x0d, 0xb8, ..]) return false; // documentation
        return true;
    }

    static bool IsPublicV4(byte[] a) => a switch
    {
        [0, ..] or [10, ..] or [127, ..] or [>= 224, ..] => false, // this network, private, loopback, multicast and reserved
        [100, >= 64 and < 128, ..] => false, // CGNAT
        [169, 254, ..] => false, // link-local (cloud metadata)
        [172, >= 16 and < 32, ..] or [192, 168, ..] => false, // private
        [192, 0, 0, _] or [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => false, // protocol assignments, documentation
        [198, 18 or 19, ..] => false, // benchmarking
        _ => true,
    };

    /// <summary>
    /// An HTTP client that connects only where <see cref="CheckedAddressAsync"/> allows, at every connection: no proxy, no
    /// redirects, no cookies, and no connection reused, so every delivery resolves and checks afresh.
    /// </summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectTimeout = RequestTimeout,
        ConnectCallback = ConnectAsync,
    }) { Timeout = Timeout.InfiniteTimeSpan };

    async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        if (context.DnsEndPoint.Port != 443 && !settings.AllowPrivateNetworks) throw new WebhookRefusedException("must use the default port (443).");
        var address = await CheckedAddressAsync(context.DnsEndPoint.Host, ct);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

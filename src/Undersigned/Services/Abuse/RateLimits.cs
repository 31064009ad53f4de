using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Undersigned.Services.Abuse;

/// <summary>Which per-address limit an endpoint falls under.</summary>
public sealed record RateLimited(string Kind)
{
    public const string Signing = "signing", Verification = "verification", DataRequests = "dataRequests";
}

public sealed class Limit
{
    public int PermitLimit { get; set; }
    public int WindowSeconds { get; set; }
}

/// <summary><c>Undersigned__RateLimits__*</c>: requests allowed per client address in a fixed window.</summary>
public sealed class RateLimitSettings
{
    public Limit Signing { get; set; } = new() { PermitLimit = 30, WindowSeconds = 600 };
    public Limit SigningPerLetter { get; set; } = new() { PermitLimit = 10, WindowSeconds = 600 };
    public Limit Verification { get; set; } = new() { PermitLimit = 30, WindowSeconds = 600 };
    public Limit DataRequests { get; set; } = new() { PermitLimit = 5, WindowSeconds = 3600 };
    /// <summary>Signatures from one address beyond this many in the window are quietly held for review.</summary>
    public Limit BurstHold { get; set; } = new() { PermitLimit = 5, WindowSeconds = 600 };
}

public static class RateLimits
{
    /// <summary>
    /// Per client address (as resolved from <c>Undersigned__KnownProxies</c>) and, for signing, per address and letter.
    /// There is deliberately no limit per letter alone: a letter going viral must not lock out its real signers.
    /// </summary>
    public static void Configure(RateLimiterOptions options, RateLimitSettings limits)
    {
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                By(limits, kind => kind switch
                {
                    RateLimited.Signing => limits.Signing,
                    RateLimited.Verification => limits.Verification,
                    RateLimited.DataRequests => limits.DataRequests,
                    _ => null,
                }, perLetter: false),
                By(limits, kind => kind == RateLimited.Signing ? limits.SigningPerLetter : null, perLetter: true));
            options.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.RetryAfter(retryAfter);
                await Problems.WriteAsync(context.HttpContext, 429, $"Too many requests from your address: try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.");
            };
        }
    }

    static PartitionedRateLimiter<HttpContext> By(RateLimitSettings limits, Func<string, Limit?> limitFor, bool perLetter)
        => PartitionedRateLimiter.Create<HttpContext, string>(http =>
        {
            var kind = http.GetEndpoint()?.Metadata.GetMetadata<RateLimited>()?.Kind;
            var limit = kind is null ? null : limitFor(kind);
            if (limit is null) return RateLimitPartition.GetNoLimiter("");
            // A slug no letter can have shares one partition with every other such slug, so keys stay bounded.
            var slug = http.GetRouteValue("slug") as string;
            var key = $"{kind}|{ClientAddress(http)}" + (perLetter ? $"|{(LetterSlug.IsWellFormed(slug) ? slug : "")}" : "");
            return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit, Window = TimeSpan.FromSeconds(limit.WindowSeconds), QueueLimit = 0,
            });
        });

    /// <summary>
    /// The client as limits, holding and address hashes see it: an IPv4 address, or an IPv6 address's /64 network, since
    /// one IPv6 subscriber is usually given a whole /64 and could otherwise be any number of addresses.
    /// </summary>
    public static IPAddress ClientAddress(HttpContext http) => Network(http.Connection.RemoteIpAddress ?? IPAddress.None);

    public static IPAddress Network(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address;
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

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
    /// <summary>Entries one partner may add in an hour, through all its keys and sessions together.</summary>
    public int PartnerEntriesPerHour { get; set; } = 600;
}

/// <summary>
/// The partner entry limit: a fixed hour-long window per partner, on the injected clock. Kept apart from the address
/// limits, which run before the key is known.
/// </summary>
public sealed class PartnerEntryLimit(RateLimitSettings limits, TimeProvider clock)
{
    static readonly TimeSpan Window = TimeSpan.FromHours(1);
    readonly Dictionary<long, (DateTimeOffset Start, int Count)> windows = [];

    /// <summary>Takes one entry from the partner's allowance; null when taken, else how long until the window ends.</summary>
    public TimeSpan? TryTake(long partnerId)
    {
        var now = clock.GetUtcNow();
        lock (windows)
        {
            if (!windows.TryGetValue(partnerId, out var window) || now >= window.Start + Window) window = (now, 0);
            if (window.Count >= limits.PartnerEntriesPerHour) return window.Start + Window - now;
            windows[partnerId] = (window.Start, window.Count + 1);
            return null;
        }
    }
}

public static class RateLimits
{
    public static void Configure(RateLimiterOptions options, RateLimitSettings limits, TimeProvider clock)
    {
        options.GlobalLimiter = new AddressLimiter(limits, clock);
        options.OnRejected = async (context, ct) =>
        {
            var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            context.HttpContext.Response.RetryAfter(retryAfter);
            await Problems.WriteAsync(context.HttpContext, 429, $"Too many requests from your address: try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.");
        };
    }

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

/// <summary>
/// Per client address (as resolved from <c>Undersigned__KnownProxies</c>) and, for signing, per address and letter; a
/// request is let through only when every limit it falls under has room, and then counts against each. There is
/// deliberately no limit per letter alone: a letter going viral must not lock out its real signers.
/// Fixed windows, each starting at an address's first request, counted in one table of small entries (a library
/// limiter per partition costs ~400 bytes), swept of ended windows as they pass; the windows follow the injected clock.
/// </summary>
sealed class AddressLimiter(RateLimitSettings limits, TimeProvider clock) : PartitionedRateLimiter<HttpContext>
{
    enum Counted : byte { Signing, SigningPerLetter, Verification, DataRequests }

    /// <summary>
    /// The address (IPv4 as IPv4-mapped IPv6) as two halves, which pack tighter than one UInt128, and a hash of the
    /// letter's slug for the per-letter limit: an entry of the table is about 60 bytes.
    /// </summary>
    readonly record struct Key(Counted Limit, ulong AddressHigh, ulong AddressLow, int Letter);

    record struct Window(long StartTicks, int Count);

    readonly Dictionary<Key, Window> windows = [];
    long nextSweepTicks;

    Limit LimitOf(Counted counted) => counted switch
    {
        Counted.Signing => limits.Signing,
        Counted.SigningPerLetter => limits.SigningPerLetter,
        Counted.Verification => limits.Verification,
        _ => limits.DataRequests,
    };

    static long TicksOf(Limit limit) => TimeSpan.TicksPerSecond * limit.WindowSeconds;

    protected override RateLimitLease AttemptAcquireCore(HttpContext http, int permitCount)
    {
        Counted? counted = http.GetEndpoint()?.Metadata.GetMetadata<RateLimited>()?.Kind switch
        {
            RateLimited.Signing => Counted.Signing,
            RateLimited.Verification => Counted.Verification,
            RateLimited.DataRequests => Counted.DataRequests,
            _ => null,
        };
        if (counted is null) return Lease.Granted;
        var (high, low) = AddressKey(RateLimits.ClientAddress(http));
        var byAddress = new Key(counted.Value, high, low, 0);
        Key? byLetter = counted == Counted.Signing ? new Key(Counted.SigningPerLetter, high, low, LetterKey(http.GetRouteValue("slug") as string)) : null;
        var now = clock.GetUtcNow().UtcTicks;
        lock (windows)
        {
            if (now >= nextSweepTicks) Sweep(now);
            var wait = Math.Max(TicksUntilRoom(byAddress, permitCount, now), byLetter is { } letter ? TicksUntilRoom(letter, permitCount, now) : 0);
            if (wait > 0) return new Lease(false, TimeSpan.FromTicks(wait));
            CollectionsMarshal.GetValueRefOrNullRef(windows, byAddress).Count += permitCount;
            if (byLetter is { } counts) CollectionsMarshal.GetValueRefOrNullRef(windows, counts).Count += permitCount;
        }
        return Lease.Granted;
    }

    /// <summary>0 when the key's window has room for <paramref name="permitCount"/> more, else how long until it ends.</summary>
    long TicksUntilRoom(Key key, int permitCount, long now)
    {
        var limit = LimitOf(key.Limit);
        ref var window = ref CollectionsMarshal.GetValueRefOrAddDefault(windows, key, out var existed);
        if (!existed || now >= window.StartTicks + TicksOf(limit)) window = new(now, 0);
        return window.Count + permitCount <= limit.PermitLimit ? 0 : Math.Max(1, window.StartTicks + TicksOf(limit) - now);
    }

    /// <summary>Drops ended windows, once per shortest window; gives memory back after a flood.</summary>
    void Sweep(long now)
    {
        var before = windows.Count;
        foreach (var (key, window) in windows)
            if (now >= window.StartTicks + TicksOf(LimitOf(key.Limit))) windows.Remove(key);
        if (windows.Count < before / 2) windows.TrimExcess();
        nextSweepTicks = now + Math.Max(TimeSpan.TicksPerSecond, Enum.GetValues<Counted>().Min(c => TicksOf(LimitOf(c))));
    }

    static (ulong High, ulong Low) AddressKey(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.MapToIPv6().TryWriteBytes(bytes, out _);
        return (BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>A slug no letter can have shares one count with every other such slug, so keys stay bounded.</summary>
    static int LetterKey(string? slug) => LetterSlug.IsWellFormed(slug) ? slug!.GetHashCode() : 0;

    // Nothing waits in a queue: a request over a limit is answered 429 at once.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext http, int permitCount, CancellationToken ct)
        => ValueTask.FromResult(AttemptAcquireCore(http, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext http) => null;

    sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name ? wait : null;
            return metadata is not null;
        }
    }
}

using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Abuse;

/// <summary>
/// Proof-of-work without a third party or cookies. A challenge is <c>base64url(letterId | expires | random) "." base64url(HMAC)</c>;
/// a solution is a decimal <c>nonce</c> such that SHA-256 over the UTF-8 bytes of <c>challenge + ":" + nonce</c> starts with
/// <c>difficulty</c> zero bits. The signature sends <c>challenge + ":" + nonce</c>. Each challenge works once.
/// </summary>
public sealed class ProofOfWork(ServiceKeys serviceKeys, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    public const int Difficulty = 16; // ~65k hashes: well under a second in a browser, costly by the million

    // Used challenges, and the order they expire in, so a check costs the same however many are remembered.
    readonly HashSet<string> used = [];
    readonly Queue<(DateTimeOffset Expires, string Challenge)> expiring = new();

    public (string Challenge, DateTimeOffset ExpiresAt) Issue(long letterId)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        var payload = new byte[8 + 8 + 16];
        BinaryPrimitives.WriteInt64BigEndian(payload, letterId);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(8), expires.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(payload.AsSpan(16));
        return ($"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(serviceKeys.ChallengeMac(payload))}", expires);
    }

    /// <summary>A checked solution's challenge, as the signature's write records it used (until it expires).</summary>
    public static UsedChallenge Used(string solution)
    {
        var challenge = solution[..solution.LastIndexOf(':')];
        var payload = Base64Url.DecodeFromChars(challenge[..challenge.IndexOf('.')]);
        return new(challenge, DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(8))));
    }

    /// <summary>Null when the solution is good (and now used up), else why not.</summary>
    public string? Check(string? solution, long letterId)
    {
        if (string.IsNullOrEmpty(solution)) return "is required for this letter: GET /api/public/challenge?letter={slug} and solve it.";
        var colon = solution.LastIndexOf(':');
        var dot = solution.IndexOf('.');
        if (colon < 0 || dot < 0 || dot > colon || !ulong.TryParse(solution[(colon + 1)..], out _)) return "is not a solved challenge.";
        var challenge = solution[..colon];
        byte[] payload, mac;
        try
        {
            payload = Base64Url.DecodeFromChars(challenge[..dot]);
            mac = Base64Url.DecodeFromChars(challenge[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return "is not a solved challenge.";
        }
        if (payload.Length != 32 || !CryptographicOperations.FixedTimeEquals(mac, serviceKeys.ChallengeMac(payload))) return "is not a challenge this service gave out.";
        if (BinaryPrimitives.ReadInt64BigEndian(payload) != letterId) return "was given out for another letter.";
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(8)));
        var now = clock.GetUtcNow();
        if (now > expires) return "has expired: get a new one.";
        if (LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(solution))) < Difficulty) return "is not solved.";

        lock (used)
        {
            // Challenges live 10 minutes from issue, so they expire in about the order they are used; a late one waits its turn.
            while (expiring.Count > 0 && expiring.Peek().Expires < now) used.Remove(expiring.Dequeue().Challenge);
            if (!used.Add(challenge)) return "has been used already: get a new one.";
            expiring.Enqueue((expires, challenge));
        }
        return null;
    }

    static int LeadingZeroBits(byte[] hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0) { bits += 8; continue; }
            return bits + BitOperations.LeadingZeroCount((uint)b) - 24;
        }
        return bits;
    }
}

/// <summary>Whether a letter needs a challenge now: <c>on</c> always, <c>auto</c> while its signing rate is high.</summary>
public sealed class ChallengePolicy(TimeProvider clock)
{
    public const int AutoThresholdPerMinute = 60;
    readonly ConcurrentDictionary<long, (long Minute, int Count)> rates = new();

    /// <summary>Counts this attempt and says whether it must carry a solved challenge.</summary>
    public bool Required(long letterId, string mode)
    {
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        var (_, count) = rates.AddOrUpdate(letterId, (minute, 1), (_, r) => r.Minute == minute ? (minute, r.Count + 1) : (minute, 1));
        return mode == "on" || (mode == "auto" && count > AutoThresholdPerMinute);
    }
}

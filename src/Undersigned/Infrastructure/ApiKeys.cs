using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Undersigned.Infrastructure;

public static class Role
{
    public const string Admin = "admin";
    public const string Staff = "staff";
    /// <summary>A partner organisation's key: only the /api/partner routes, for the partner it is bound to.</summary>
    public const string Partner = "partner";
    /// <summary>An operator's monitoring key: <c>/metrics</c> and readiness details, nothing else.</summary>
    public const string Metrics = "metrics";
}

/// <summary>API keys: 256 random bits shown once, stored only as a SHA-256 hash (a slow hash adds nothing at that entropy).</summary>
public static class ApiKey
{
    public const string Scheme = "ApiKey";
    const string Prefix = "usk_", SessionPrefix = "uss_";
    public const string SessionClaim = "session", PartnerClaim = "partner";

    /// <summary>How long a console session lasts: a working day.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>A session token: as random as a key, told apart from one by its prefix.</summary>
    public static string GenerateSession() => SessionPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsSession(string token) => token.StartsWith(SessionPrefix, StringComparison.Ordinal);

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Four random characters of a generated key: enough for a person to recognise it in a list, far too little to guess
    /// the rest. A key a person chose (from configuration) gets none: its start may be most of it.
    /// </summary>
    public static string Hint(string key)
        => key.StartsWith(Prefix) && key.Length > Prefix.Length + 16 ? key[..(Prefix.Length + 4)] + "…" : "(from configuration)";

    public static long KeyId(this ClaimsPrincipal user) => long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>The partner a partner key is bound to; null for staff and admin keys.</summary>
    public static long? PartnerId(this ClaimsPrincipal user) => user.FindFirstValue(PartnerClaim) is { } id ? long.Parse(id) : null;

    /// <summary>The session the request came with; null when it came with the key itself.</summary>
    public static long? SessionId(this ClaimsPrincipal user) => user.FindFirstValue(SessionClaim) is { } id ? long.Parse(id) : null;
}

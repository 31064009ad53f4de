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

/// <summary>
/// Reads <c>Authorization: Bearer KEY</c> (or a session token the key was exchanged for) and finds the key's role;
/// answers 401 and 403 as problems.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeysStore keys, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();

        List<Claim> claims;
        if (ApiKey.IsSession(token))
        {
            var session = await keys.FindActiveSessionAsync(ApiKey.Hash(token), clock.GetUtcNow(), Context.RequestAborted);
            if (session is null) return AuthenticateResult.Fail("Unknown, expired or ended session.");
            claims = [new(ClaimTypes.NameIdentifier, session.Value.KeyId.ToString()), new(ClaimTypes.Role, session.Value.Role),
                      new(ApiKey.SessionClaim, session.Value.SessionId.ToString())];
            if (session.Value.PartnerId is { } partner) claims.Add(new(ApiKey.PartnerClaim, partner.ToString()));
        }
        else
        {
            var key = await keys.FindActiveAsync(ApiKey.Hash(token), Context.RequestAborted);
            if (key is null) return AuthenticateResult.Fail("Unknown or revoked key.");
            claims = [new(ClaimTypes.NameIdentifier, key.Value.Id.ToString()), new(ClaimTypes.Role, key.Value.Role)];
            if (key.Value.PartnerId is { } partner) claims.Add(new(ApiKey.PartnerClaim, partner.ToString()));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            "Send a valid API key or session token as 'Authorization: Bearer <key>'; sessions end after 8 hours, at sign-out, or when their key is revoked.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "This key's role does not allow this action.");
}

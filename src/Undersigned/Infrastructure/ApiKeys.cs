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
}

/// <summary>API keys: 256 random bits shown once, stored only as a SHA-256 hash (a slow hash adds nothing at that entropy).</summary>
public static class ApiKey
{
    public const string Scheme = "ApiKey";
    const string Prefix = "usk_";

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>
    /// Four random characters of a generated key: enough for a person to recognise it in a list, far too little to guess
    /// the rest. A key a person chose (from configuration) gets none: its start may be most of it.
    /// </summary>
    public static string Hint(string key)
        => key.StartsWith(Prefix) && key.Length > Prefix.Length + 16 ? key[..(Prefix.Length + 4)] + "…" : "(from configuration)";

    public static long KeyId(this ClaimsPrincipal user) => long.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
}

/// <summary>Reads <c>Authorization: Bearer KEY</c> and finds the key's role; answers 401 and 403 as problems.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeysStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();

        var key = await keys.FindActiveAsync(ApiKey.Hash(header["Bearer ".Length..].Trim()), Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("Unknown or revoked key.");

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, key.Value.Id.ToString()), new Claim(ClaimTypes.Role, key.Value.Role)], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            "Send a valid API key as 'Authorization: Bearer <key>'.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "This key's role does not allow this action.");
}

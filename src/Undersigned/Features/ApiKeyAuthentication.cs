using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features;

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

using System.Text.RegularExpressions;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Widget;

/// <summary>
/// CORS for the widget's signing calls to a letter's public API: only the letter's <c>allowedOrigins</c> and its attached
/// partners' sites (any when the letter's list is empty), preflights included, always with <c>Vary: Origin</c>. Public reads answer every site alike. Signing also checks Origin itself: CORS alone cannot stop a
/// cross-site form post.
/// </summary>
public sealed partial class Cors(RequestDelegate next, LettersStore letters)
{
    [GeneratedRegex("^/api/public/letters/(?<slug>[^/]+)")]
    private static partial Regex LetterPath();

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var slug = LetterPath().Match(request.Path.Value ?? "") is { Success: true } m ? Uri.UnescapeDataString(m.Groups["slug"].Value)
            : request.Path.StartsWithSegments("/api/public/challenge") ? request.Query["letter"].ToString() : null;
        string? origin = request.Headers.Origin;
        // A letter's public reads are the same for every site (PublicCache): only signing and its preflight are limited.
        var publicRead = (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !request.Path.StartsWithSegments("/api/public/challenge");
        if (slug is null || string.IsNullOrEmpty(origin) || publicRead)
        {
            await next(http);
            return;
        }

        http.Response.Headers.Vary = "Origin";
        // The same sites signing allows: the letter's own and its attached partners'.
        var letter = await letters.FindPublishedAsync(slug, http.RequestAborted);
        var allowed = letter is not null && Origin.IsAllowed(origin, letter.Origins);
        if (allowed) http.Response.Headers.AccessControlAllowOrigin = origin;

        if (HttpMethods.IsOptions(request.Method) && request.Headers.AccessControlRequestMethod.Count > 0)
        {
            if (!allowed)
            {
                await Problems.WriteAsync(http, 403, "This site may not use this letter's widget.");
                return;
            }
            http.Response.Headers.AccessControlAllowMethods = "GET, POST";
            http.Response.Headers.AccessControlAllowHeaders = "Content-Type";
            http.Response.Headers.AccessControlMaxAge = "600";
            http.Response.StatusCode = 204;
            return;
        }
        await next(http);
    }
}

using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Undersigned.Infrastructure;

/// <summary>
/// Public reads a CDN or reverse proxy can hold through a spike: cacheable for <see cref="Settings.PublicCacheSeconds"/>,
/// the same answer for every site (<c>Access-Control-Allow-Origin: *</c>, nothing varies by Origin), with an ETag from
/// a version that every change moves, so revalidating is cheap and never keeps a stale answer.
/// </summary>
public static class PublicCache
{
    /// <summary>How long a cache may serve a letter, its count or the widget while the service is failing.</summary>
    public const int StaleIfErrorSeconds = 86_400;

    /// <summary>An opaque ETag for the parts a response is made from.</summary>
    public static string ETag(params object[] version)
        => $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', version))))[..24]}\"";

    /// <summary>
    /// Sets the caching headers of a public answer; true when the client's copy is current (the caller answers 304).
    /// A signatory list (<paramref name="list"/>) is never served stale, so a withdrawn or corrected name outlives a
    /// change by at most the cache time.
    /// </summary>
    public static bool IsCurrent(HttpContext http, Settings settings, string etag, bool list = false)
    {
        var headers = http.Response.Headers;
        var seconds = settings.PublicCacheSeconds;
        headers.CacheControl = seconds <= 0 ? "no-cache"
            : list ? $"public, max-age={seconds}"
            : $"public, max-age={seconds}, stale-while-revalidate={2 * seconds}, stale-if-error={StaleIfErrorSeconds}";
        headers.ETag = etag;
        headers.AccessControlAllowOrigin = "*";
        var current = EntityTagHeaderValue.Parse(etag);
        return http.Request.GetTypedHeaders().IfNoneMatch.Any(tag => tag.Compare(current, useStrongComparison: false) || tag.Equals(EntityTagHeaderValue.Any));
    }
}

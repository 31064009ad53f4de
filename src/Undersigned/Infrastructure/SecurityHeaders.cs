namespace Undersigned.Infrastructure;

/// <summary>
/// Headers for every response, by kind of route. Endpoints that serve pages set their own Content-Security-Policy
/// (verify and withdraw pages, the widget); everything else is data and may not run or be framed at all.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    const string DataPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
    const string SwaggerPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
                                 "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// A signer's page with its own inline script and style (confirm, withdraw, the rights page): a fresh nonce for them,
    /// requests only to this service, never framed, never cached (it is about one person). Returns the nonce.
    /// </summary>
    public static string SignerPage(HttpResponse response)
    {
        var nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        response.Headers.ContentSecurityPolicy = $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; " +
                                                 "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        response.Headers.CacheControl = "no-store";
        response.Headers.Vary = "Accept-Language";
        return nonce;
    }

    public Task InvokeAsync(HttpContext http)
    {
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (headers.ContentSecurityPolicy.Count == 0)
                headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger") ? SwaggerPolicy : DataPolicy;
            if (http.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        return next(http);
    }
}

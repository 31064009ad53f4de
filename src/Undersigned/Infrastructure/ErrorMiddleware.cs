namespace Undersigned.Infrastructure;

/// <summary>Turns request errors (oversized body, wrong content type) into problems, and anything unexpected into a bare 500.</summary>
public sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    static readonly string[] BodyMethods = ["POST", "PUT", "PATCH"];

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.ContentLength > Limits.MaxRequestBody)
        {
            // The unread body makes the connection unusable: say so, so the client does not send its next request on it.
            http.Response.Headers.Connection = "close";
            await Problems.WriteAsync(http, 413, $"Request bodies are limited to {Limits.MaxRequestBody / 1024} KB.");
            return;
        }
        // RFC 8058's one-click unsubscribe is the one form post: mail clients send "List-Unsubscribe=One-Click" form-encoded.
        if (BodyMethods.Contains(request.Method) && (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            && !request.HasJsonContentType() && request.ContentType?.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase) != true
            && !request.Path.Equals("/unsubscribe", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(http, 415, "Send the body as application/json.");
            return;
        }

        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            if (e.StatusCode == 413) http.Response.Headers.Connection = "close";
            await Problems.WriteAsync(http, e.StatusCode,
                e.StatusCode == 413 ? $"Request bodies are limited to {Limits.MaxRequestBody / 1024} KB." : "The request could not be read.");
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested && Transient.Is(e))
        {
            // The database (or what it needs) did not answer: nothing was stored, and the client may try again.
            log.LogWarning("{Method} {Path} answered 503: {Exception}", request.Method, request.Path, (e.InnerException ?? e).GetType().Name);
            http.Response.Clear();
            http.Response.RetryAfter(TimeSpan.FromSeconds(5));
            await Problems.WriteAsync(http, 503, "The service cannot reach its database just now: try again in a few seconds.");
        }
        catch (Exception e) when (!http.Response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            // The exception's message may quote request data, so only its type is logged beside the stack.
            log.LogError("Unhandled {Exception} on {Method} {Path}\n{Stack}", e.GetType().Name, request.Method, request.Path, e.StackTrace);
            http.Response.Clear();
            await Problems.WriteAsync(http, 500, "Something went wrong on our side. It has been logged.");
        }
    }
}

using FluentValidation.Results;
using Microsoft.AspNetCore.WebUtilities;

namespace Undersigned.Infrastructure;

/// <summary>RFC 9457 problems in one shape, whether an endpoint, the middleware or authentication sends them.</summary>
public static class Problems
{
    public const string ContentType = "application/problem+json";

    public static string TypeFor(int status) => $"https://www.rfc-editor.org/rfc/rfc9110#status.{status}";

    public static Problem Create(HttpContext http, int status, string detail, params (string Field, string Reason)[] errors) => new()
    {
        Type = TypeFor(status),
        Title = ReasonPhrases.GetReasonPhrase(status),
        Status = status,
        Detail = detail,
        Instance = http.Request.Path,
        TraceId = http.TraceIdentifier,
        Errors = errors.Select(e => new ProblemError { Name = e.Field, Reason = e.Reason }).ToArray(),
    };

    /// <summary>A 400 from validation failures, each named as the field is in JSON; the reasons and detail as given, or as they are.</summary>
    public static Problem Invalid(HttpContext http, IEnumerable<ValidationFailure> failures, string detail = "Some fields are not valid.",
        Func<ValidationFailure, string>? reason = null)
        => Create(http, 400, detail,
            failures.Select(f => (System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(f.PropertyName), reason?.Invoke(f) ?? f.ErrorMessage)).ToArray());

    public static Problem LetterNotFound(HttpContext http) => Create(http, 404, "No letter has this id.");

    public static Problem PublishedLetterNotFound(HttpContext http) => Create(http, 404, "No published letter has this slug.");

    public static Task WriteAsync(HttpContext http, int status, string detail, params (string Field, string Reason)[] errors)
        => Create(http, status, detail, errors).ExecuteAsync(http);

    public static void RetryAfter(this HttpResponse response, TimeSpan delay)
        => response.Headers.RetryAfter = ((int)Math.Ceiling(delay.TotalSeconds)).ToString();
}

/// <summary>Every error response: the same fields FastEndpoints gives validation failures.</summary>
public sealed class Problem : IResult
{
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required int Status { get; init; }
    public required string Instance { get; init; }
    public required string TraceId { get; init; }
    public required string Detail { get; init; }
    /// <summary>One entry per bad field, named as in the request (camelCase).</summary>
    public required ProblemError[] Errors { get; init; }

    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = Status;
        return http.Response.WriteAsJsonAsync(this, Json.Options, Problems.ContentType);
    }
}

public sealed class ProblemError
{
    public required string Name { get; init; }
    public required string Reason { get; init; }
}

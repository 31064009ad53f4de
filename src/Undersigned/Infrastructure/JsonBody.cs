using System.Text.Json;
using System.Text.Json.Nodes;
using FastEndpoints;
using FluentValidation.Results;

namespace Undersigned.Infrastructure;

/// <summary>
/// Request bodies read so that every field that fails to parse is reported together with what the validator finds,
/// not one at a time: a form shows all its errors at once. A body that is not JSON at all is still one error.
/// </summary>
public static class JsonBody
{
    const string FailuresKey = "Undersigned.ParseFailures";

    /// <summary>FastEndpoints' request deserializer: parse failures are kept for <see cref="ParseFailures"/> to report.</summary>
    public static async ValueTask<object?> DeserializeAsync(HttpRequest request, Type type, System.Text.Json.Serialization.JsonSerializerContext? _, CancellationToken ct)
    {
        using var buffer = new MemoryStream(request.ContentLength is > 0 and < Limits.MaxRequestBody ? (int)request.ContentLength : 1024);
        await request.Body.CopyToAsync(buffer, ct);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        try
        {
            return JsonSerializer.Deserialize(body.Span, type, Json.Options);
        }
        catch (JsonException first) when (first.Path is { Length: > 1 })
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(body.Span, documentOptions: Json.DocumentOptions);
            }
            catch (JsonException)
            {
                throw first; // not JSON, or a key given twice: where it broke is the one thing to say
            }
            var failures = new List<ValidationFailure>();
            var value = DeserializeCollecting(node!, type, failures, first);
            request.HttpContext.Items[FailuresKey] = failures;
            return value;
        }
    }

    /// <summary>
    /// Deserializes a parsed document, dropping each field that fails to convert (so it reads as absent) and adding a
    /// failure for it; fields nested in arrays are not dropped, and their failure ends the reading.
    /// </summary>
    public static object? DeserializeCollecting(JsonNode node, Type type, List<ValidationFailure> failures, JsonException? known = null)
    {
        for (var exception = known; ;)
        {
            if (exception is not null)
            {
                if (exception.Path is not { Length: > 1 } path || failures.Count >= 64 || !Remove(node, path)) throw exception;
                failures.Add(Failure(exception));
            }
            try
            {
                return node.Deserialize(type, Json.Options);
            }
            catch (JsonException next)
            {
                exception = next;
            }
        }
    }

    /// <summary>What a client is told of a parse failure: the field and how to fix it, never parser internals.</summary>
    public static ValidationFailure Failure(JsonException e) => e.Path is null or "$"
        ? new ValidationFailure("body", e.LineNumber is null ? "is not valid JSON." : $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).")
        : new ValidationFailure(e.Path.TrimStart('$', '.'), e.Message.StartsWith("must ") ? e.Message : "has the wrong type or is not valid JSON.");

    /// <summary>Removes the property a path like <c>$.a.b</c> names; false for anything else (array items, quoted names).</summary>
    static bool Remove(JsonNode node, string path)
    {
        var names = path[2..].Split('.');
        foreach (var name in names[..^1])
        {
            if (node is not JsonObject parent || parent[name] is not { } child) return false;
            node = child;
        }
        return node is JsonObject owner && owner.Remove(names[^1]);
    }

    /// <summary>Parse failures in place of what validation said of the same fields (a value that did not parse reads as absent).</summary>
    public static void Merge(List<ValidationFailure> validated, List<ValidationFailure> parsed)
    {
        validated.RemoveAll(f => parsed.Exists(p => string.Equals(p.PropertyName, f.PropertyName, StringComparison.OrdinalIgnoreCase)));
        validated.AddRange(parsed);
    }

    /// <summary>
    /// Adds the kept parse failures to the request's failures, in place of what the validator said of the same fields
    /// (a date that did not parse reads as missing). Runs after validation, and again on the way out when it failed.
    /// </summary>
    public sealed class ParseFailures : IGlobalPreProcessor
    {
        public Task PreProcessAsync(IPreProcessorContext context, CancellationToken ct)
        {
            if (context.HttpContext.Items[FailuresKey] is not List<ValidationFailure> parsed) return Task.CompletedTask;
            context.HttpContext.Items.Remove(FailuresKey);
            var validated = context.ValidationFailures.Count > 0;
            Merge(context.ValidationFailures, parsed);
            // When validation passed, the handler must not run on a body with dropped fields.
            return validated ? Task.CompletedTask : throw new ValidationFailureException(context.ValidationFailures, "Some fields did not parse.");
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Update;

/// <summary>
/// JSON merge patch (RFC 7396) over the letter's <see cref="LetterFields"/>: absent leaves a field, null clears it
/// (back to its default where it has one). The merged letter is validated as a whole, like a new one.
/// </summary>
public sealed class Endpoint(Db db, LettersStore letters, LetterReader reader, TimeProvider clock) : EndpointWithoutRequest<LetterResponse>
{
    static readonly HashSet<string> Fields = typeof(LetterFields).GetProperties()
        .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToHashSet();

    public override void Configure()
    {
        Patch("/api/letters/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("UpdateLetter").WithTags("Letters")
            .WithSummary("Edit a letter with a JSON merge patch")
            .WithDescription("Requires If-Match with the letter's ETag. Slug and moderation change only while draft; " +
                             "closesAt of a published letter moves through /deadline. A published letter's title, body or target change makes a new text version.")
            .Accepts<LetterFields>("application/merge-patch+json", "application/json")
            .WithMetadata(new RequestHeader("If-Match", "The ETag from the last read of the letter.", Required: true))
            .Produces<LetterResponse>().Problems(400, 404, 409, 412, 415, 428), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var ifMatch = HttpContext.Request.Headers.IfMatch.ToString();
        if (ifMatch.Length == 0)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 428, "Send If-Match with the ETag of the letter you edited, so no one's change is lost."));
            return;
        }

        var patch = await ReadPatchAsync(ct);
        if (patch is null) return;

        var row = await letters.FindAsync(Route<long>("id"), ct);
        if (row is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        if (ifMatch != row.ETag)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 412, "The letter has changed since you read it: read it again and re-apply your change."));
            return;
        }

        var current = LetterFields.From(row);
        var document = JsonSerializer.SerializeToNode(current, Json.Options)!.AsObject();
        foreach (var (name, value) in patch) document[name] = value?.DeepClone();

        var parseFailures = new List<FluentValidation.Results.ValidationFailure>();
        LetterFields merged;
        try
        {
            merged = (LetterFields)JsonBody.DeserializeCollecting(document, typeof(LetterFields), parseFailures)!;
        }
        catch (JsonException e)
        {
            await Send.ResultAsync(Problems.Invalid(HttpContext, [.. parseFailures, JsonBody.Failure(e)]));
            return;
        }
        merged.ApplyDefaults();
        if (merged.Slug is null) merged.Slug = row.PublishedAt is null ? Text.Slugify(merged.Title ?? "") : row.Slug;

        var failures = new LetterFieldsValidator<LetterFields>().Validate(merged).Errors;
        JsonBody.Merge(failures, parseFailures);
        if (failures.Count > 0)
        {
            await Send.ResultAsync(Problems.Invalid(HttpContext, failures));
            return;
        }

        var now = clock.GetUtcNow();
        var status = LetterStatus.Of(row, now);
        var conflict =
            status != LetterStatus.Draft && merged.Slug != row.Slug ? ("slug", "changes only while the letter is a draft.")
            : status != LetterStatus.Draft && merged.Moderation != row.Moderation ? ("moderation", "changes only while the letter is a draft.")
            : status != LetterStatus.Draft && merged.Language != row.Language ? ("language", "changes only while the letter is a draft.")
            : status != LetterStatus.Draft && merged.ClosesAt != row.ClosesAt ? ("closesAt", "of a published letter moves with POST /api/letters/{id}/deadline, which keeps its history.")
            : status is LetterStatus.Open or LetterStatus.Closed && merged.OpensAt != row.OpensAt ? ("opensAt", "cannot change once signing has opened.")
            : default((string, string)?);
        if (conflict is { } c)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "This change is not allowed in the letter's current state.", c));
            return;
        }

        if (merged.Language != row.Language && (await letters.TranslationsAsync(row.Id, ct)).Any(t => t.Language == merged.Language))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "The letter has a translation in this language: delete it first.",
                ("language", "has a translation.")));
            return;
        }

        await using (var tx = await db.BeginWriteAsync(ct))
        {
            if (merged.Slug != row.Slug && await letters.FreeSlugAsync(tx, merged.Slug!, generated: false) is null)
            {
                await Send.ResultAsync(Problems.Create(HttpContext, 409, "Another letter already has this slug.", ("slug", "is taken.")));
                return;
            }
            if (!await letters.UpdateAsync(tx, row, merged.ToValues(merged.Slug!), User.KeyId(), now))
            {
                await Send.ResultAsync(Problems.Create(HttpContext, 412, "The letter has changed since you read it: read it again and re-apply your change."));
                return;
            }
            await tx.CommitAsync(ct);
        }
        await Send.OkAsync(await reader.SavedAsync(HttpContext, row.Id, now, ct), ct);
    }

    /// <summary>The patch as a JSON object, or null after answering 400/415.</summary>
    async Task<JsonObject?> ReadPatchAsync(CancellationToken ct)
    {
        var contentType = HttpContext.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/merge-patch+json", StringComparison.OrdinalIgnoreCase) && !HttpContext.Request.HasJsonContentType())
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 415, "Send the patch as application/merge-patch+json (or application/json)."));
            return null;
        }

        JsonNode? node;
        try
        {
            node = await JsonNode.ParseAsync(HttpContext.Request.Body, documentOptions: Json.DocumentOptions, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "The request body is not valid JSON.",
                ("body", $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).")));
            return null;
        }

        if (node is not JsonObject patch)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "A merge patch is a JSON object.", ("body", "must be a JSON object.")));
            return null;
        }
        var unknown = patch.Select(p => p.Key).Where(k => !Fields.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "The patch names fields a letter does not have or that cannot be edited.",
                unknown.Select(k => (k, "is not an editable field of a letter.")).ToArray()));
            return null;
        }
        return patch;
    }
}

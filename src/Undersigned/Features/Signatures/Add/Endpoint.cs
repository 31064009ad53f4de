using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services;

namespace Undersigned.Features.Signatures.Add;

/// <summary>A signatory who signed another way (an email reply, on paper). The email is optional here.</summary>
public sealed class Request : GatheredSignerFields;

public sealed class Validator : GatheredSignerFieldsValidator<Request>;

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, GroupCommit writer, LetterKeys letterKeys)
    : Endpoint<Request, StaffSignature>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/signatures");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("AddSignature").WithTags("Signatures")
            .WithSummary("Add a signatory who signed another way; recorded as staff-added, confirmed without email")
            .Produces<StaffSignature>(201).Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        var letter = await letters.FindAsync(letterId, ct);
        if (letter?.TextVersion is not { } textVersion)
        {
            await Send.ResultAsync(letter is null ? Problems.LetterNotFound(HttpContext)
                : Problems.Create(HttpContext, 409, "Publish the letter before adding signatories."));
            return;
        }

        var draft = new SignatureDraft(letterId, request.Kind!, request.Name!.Trim(), Text.Blank(request.Role),
            Text.Blank(request.Organisation), Text.Blank(request.Email), request.ShowName!.Value, textVersion, ConsentVersion: null, StaffAddedBy: User.KeyId(),
            Method: request.Method ?? SigningMethod.Paper);
        // Staff add few: this waits for room in the writer's queue rather than answering 503 as the public form does.
        var result = await writer.WriteAsync((tx, now) => signatures.SignAsync(tx, draft, now), ct);
        if (result.Outcome == SignOutcome.Duplicate)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "This email has already signed this letter as this kind of signatory.",
                ("email", "has already signed.")));
            return;
        }

        var row = (await signatures.FindAsync(letterId, result.SignatureId, ct))!;
        HttpContext.Response.Headers.Location = $"/api/letters/{letterId}/signatures/{row.Id}";
        await Send.ResponseAsync(StaffSignature.Of(row, await letterKeys.GetAsync(letterId, ct)), 201, ct);
    }
}

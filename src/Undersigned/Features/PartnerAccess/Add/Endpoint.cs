using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;
using Undersigned.Services;
using Undersigned.Services.Abuse;

namespace Undersigned.Features.PartnerAccess.Add;

public sealed class Request : GatheredSignerFields;

public sealed class Validator : GatheredSignerFieldsValidator<Request>;

/// <summary>The one answer to every accepted entry, so a partner cannot learn whether an address had signed.</summary>
public sealed class Response
{
    public string Status { get; init; } = "received";
    public string Message { get; init; } = "Received. With an email address, the person confirms by the link we send; without one, staff check it.";
    public static readonly Response Received = new();
}

/// <summary>
/// Signatures a partner gathered on paper, at an event or by email. With an address the person is sent the usual
/// confirmation and counts once they confirm; without one the entry waits in review for staff. An address that has
/// signed already is left as it is, and only staff hear of it (the audit trail); the partner gets the same answer.
/// A partner cannot answer the contact question, or anything else, for someone.
/// </summary>
public sealed class Endpoint(PartnersStore partners, SignaturesStore signatures, GroupCommit writer, AuditStore audit, PartnerEntryLimit limit,
    TimeProvider clock)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/partner/letters/{id:long}/signatures");
        Roles(Role.Partner);
        Description(b => b.WithName("AddPartnerSignature").WithTags("Partner access")
            .WithSummary("Add signatures gathered on paper, at an event or by email; always 202 with one constant body")
            .Produces<Response>(202).Problems(400, 404, 409, 410, 429), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var partnerId = User.PartnerId()!.Value;
        if (limit.TryTake(partnerId) is { } retryAfter)
        {
            HttpContext.Response.RetryAfter(retryAfter);
            await Send.ResultAsync(Problems.Create(HttpContext, 429,
                $"This partner has added its hour's share of entries: try again in {Math.Ceiling(retryAfter.TotalMinutes)} minutes."));
            return;
        }
        var letter = await partners.LetterOfAsync(partnerId, Route<long>("id"), ct);
        var now = clock.GetUtcNow();
        var status = letter is null ? null : LetterStatus.Of(letter, now);
        var problem = letter is null ? Problems.Create(HttpContext, 404, "This partner has no letter with this id.")
            : status == LetterStatus.Scheduled ? Problems.Create(HttpContext, 409, $"Signing opens at {Json.Format(letter.OpensAt!.Value)}.")
            : status == LetterStatus.Closed ? Problems.Create(HttpContext, 410, $"Signing closed at {Json.Format(letter.ClosesAt)}.")
            : null;
        if (problem is not null)
        {
            await Send.ResultAsync(problem);
            return;
        }

        var draft = new SignatureDraft(letter!.Id, request.Kind!, request.Name!.Trim(), Text.Blank(request.Role), Text.Blank(request.Organisation),
            Text.Blank(request.Email), request.ShowName!.Value, letter.TextVersion!.Value, ConsentVersion: null,
            PartnerId: partnerId, Method: request.Method ?? SigningMethod.Paper, AddedByPartner: true);
        var result = await writer.WriteAsync((tx, at) => signatures.SignAsync(tx, draft, at), ct);
        await audit.RecordAsync(null, now, User.KeyId(), result.Outcome == SignOutcome.Duplicate ? "partner.signature.duplicate" : "partner.signature.add",
            letter.Id, result.SignatureId, 1, details: new { partner = partnerId, method = draft.Method }, ct: ct);
        await Send.ResponseAsync(Response.Received, 202, ct);
    }
}

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.Correct;

/// <summary>Display fields to correct before delivery; absent fields stay as they are.</summary>
public sealed class Request
{
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Organisation { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Name).NotEmpty().When(r => r.Name is not null);
        RuleFor(r => r.Name).MaximumLength(Signer.MaxNameLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
        RuleFor(r => r.Role).MaximumLength(Signer.MaxNameLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
        RuleFor(r => r.Organisation).MaximumLength(Signer.MaxOrganisationLength).Must(Signer.IsPlainName).WithMessage(Signer.PlainNameMessage);
    }
}

public sealed class Endpoint(Db db, SignaturesStore signatures, AuditStore audit, LetterKeys letterKeys, TimeProvider clock) : Endpoint<Request, StaffSignature>
{
    public override void Configure()
    {
        Patch("/api/letters/{id:long}/signatures/{signatureId:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("CorrectSignature").WithTags("Signatures")
            .WithSummary("Correct a signatory's name, role or organisation before delivery (the original is kept in the audit trail)")
            .Produces<StaffSignature>().Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var (letterId, signatureId) = (Route<long>("id"), Route<long>("signatureId"));
        await using var tx = await db.BeginWriteAsync(ct);
        var before = await signatures.FindAsync(tx, letterId, signatureId);
        if (before is null || before.Status == SignatureStatus.Withdrawn)
        {
            await Send.ResultAsync(before is null ? Problems.Create(HttpContext, 404, "This letter has no signature with this id.")
                : Problems.Create(HttpContext, 409, "This signature was withdrawn and its details erased."));
            return;
        }
        var after = new
        {
            name = request.Name?.Trim() ?? before.Name,
            role = request.Role is null ? before.Role : request.Role.Trim() is { Length: > 0 } r ? r : null,
            organisation = request.Organisation is null ? before.Organisation : request.Organisation.Trim() is { Length: > 0 } o ? o : null,
        };
        if (before.Kind == SignatureKind.Organisation && after.organisation is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "An organisation's signature needs its organisation.", ("organisation", "must not be empty.")));
            return;
        }
        await signatures.CorrectAsync(tx, signatureId, after.name, after.role, after.organisation);
        await audit.RecordAsync(tx, clock.GetUtcNow(), User.KeyId(), "signature.correct", letterId, signatureId, 1,
            new { before = new { before.Name, before.Role, before.Organisation }, after });
        await tx.CommitAsync(ct);

        var saved = (await signatures.FindAsync(letterId, signatureId, ct))!;
        await Send.OkAsync(StaffSignature.Of(saved, await letterKeys.GetAsync(letterId, ct)), ct);
    }
}

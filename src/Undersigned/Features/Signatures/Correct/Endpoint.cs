using Dapper;
using FastEndpoints;
using FluentValidation;
using Undersigned.Features.Signing;
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
        RuleFor(r => r.Name).MaximumLength(SignerFieldsValidator<SignerFields>.MaxNameLength).Must(SignerFieldsValidator<SignerFields>.IsPlainName)
            .WithMessage(SignerFieldsValidator<SignerFields>.PlainNameMessage);
        RuleFor(r => r.Role).MaximumLength(SignerFieldsValidator<SignerFields>.MaxNameLength).Must(SignerFieldsValidator<SignerFields>.IsPlainName)
            .WithMessage(SignerFieldsValidator<SignerFields>.PlainNameMessage);
        RuleFor(r => r.Organisation).MaximumLength(SignerFieldsValidator<SignerFields>.MaxOrganisationLength)
            .Must(SignerFieldsValidator<SignerFields>.IsPlainName).WithMessage(SignerFieldsValidator<SignerFields>.PlainNameMessage);
    }
}

public sealed class Endpoint(Db db, LetterKeys letterKeys, TimeProvider clock) : Endpoint<Request, StaffSignature>
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        var before = await StaffSignatures.FindAsync(connection, letterId, signatureId, tx);
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
        await connection.ExecuteAsync("UPDATE signatures SET name = @name, role = @role, organisation = @organisation WHERE id = @signatureId",
            new { after.name, after.role, after.organisation, signatureId }, tx);
        await AuditTrail.RecordAsync(connection, tx, clock.GetUtcNow(), User.KeyId(), "signature.correct", letterId, signatureId, 1,
            new { before = new { before.Name, before.Role, before.Organisation }, after });
        await tx.CommitAsync(ct);

        var saved = (await StaffSignatures.FindAsync(connection, letterId, signatureId))!;
        await Send.OkAsync(StaffSignatures.ToResponse(saved, await letterKeys.GetAsync(connection, letterId)), ct);
    }
}

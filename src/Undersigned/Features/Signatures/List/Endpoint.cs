using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.List;

public sealed class Request : PageQuery
{
    /// <summary>One or more statuses, comma-separated, or <c>all</c> (the default).</summary>
    public string? Status { get; set; }
    /// <summary>Only signatures whose name or organisation contains this text (case-insensitive).</summary>
    public string? Q { get; set; }
}

public sealed class Validator : PageQueryValidator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Status).Must(s => SignatureStatus.Parse(s, SignatureStatus.All) is not null).WithMessage(SignatureStatus.ParseMessage);
        RuleFor(r => r.Q).MaximumLength(200);
    }
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, AuditStore audit, LetterKeys letterKeys, TimeProvider clock)
    : Endpoint<Request, Page<StaffSignature>>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/signatures");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListSignatures").WithTags("Signatures")
            .WithSummary("Signatures with contact details, newest first, filtered by status and by name or organisation (q)")
            .Produces<Page<StaffSignature>>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var rows = await signatures.ListAsync(letterId, SignatureStatus.Parse(request.Status, SignatureStatus.All)!, request.CursorKey, request.Take + 1, ct,
            Text.Blank(request.Q));
        var page = Paging.Of(rows, request.Take, r => r.Id);
        var key = await letterKeys.GetAsync(letterId, ct);
        await audit.RecordAsync(null, clock.GetUtcNow(), User.KeyId(), "signatures.read", letterId, rows: page.Items.Count,
            details: new { status = request.Status ?? "all" }, ct: ct);
        await Send.OkAsync(new(page.Items.Select(r => StaffSignature.Of(r, key)).ToList(), page.NextCursor), ct);
    }
}

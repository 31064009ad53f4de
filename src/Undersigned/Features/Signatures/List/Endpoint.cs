using Dapper;
using FastEndpoints;
using FluentValidation;
using Undersigned.Features.Signing;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.List;

public sealed class Request : PageQuery
{
    /// <summary>One or more statuses, comma-separated, or <c>all</c> (the default).</summary>
    public string? Status { get; set; }
}

public sealed class Validator : PageQueryValidator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Status).Must(s => StaffSignatures.ParseStatuses(s, SignatureStatus.All) is not null)
            .WithMessage($"must be one or more of {string.Join(", ", SignatureStatus.All)}, comma-separated, or all.");
    }
}

public sealed class Endpoint(Db db, LetterKeys letterKeys, TimeProvider clock) : Endpoint<Request, Page<StaffSignature>>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/signatures");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListSignatures").WithTags("Signatures")
            .WithSummary("Signatures with contact details, newest first, filtered by status")
            .Produces<Page<StaffSignature>>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        await using var connection = await db.OpenAsync(ct);
        if (!await Letters.LetterData.ExistsAsync(connection, letterId))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var rows = (await connection.QueryAsync<StaffSignatures.Row>($"""
            SELECT {StaffSignatures.Columns} FROM signatures
            WHERE letter_id = @letterId AND status IN @statuses AND id < @before ORDER BY id DESC LIMIT @take
            """, new
        {
            letterId, statuses = StaffSignatures.ParseStatuses(request.Status, SignatureStatus.All),
            before = request.CursorKey ?? long.MaxValue, take = request.Take + 1,
        })).ToList();
        var page = Paging.Of(rows, request.Take, r => r.Id);
        var key = await letterKeys.GetAsync(connection, letterId);
        await AuditTrail.RecordAsync(connection, null, clock.GetUtcNow(), User.KeyId(), "signatures.read", letterId, rows: page.Items.Count,
            details: new { status = request.Status ?? "all" });
        await Send.OkAsync(new(page.Items.Select(r => StaffSignatures.ToResponse(r, key)).ToList(), page.NextCursor), ct);
    }
}

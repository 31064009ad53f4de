using System.Text;
using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.PartnerAccess.Signatures;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class ConsentingSigner
{
    public long Id { get; init; }
    /// <summary><c>individual</c> or <c>organisation</c>.</summary>
    public required string Kind { get; init; }
    public string? Name { get; init; }
    public string? Role { get; init; }
    public string? Organisation { get; init; }
    public required string Email { get; init; }
    public DateTimeOffset SignedAt { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
}

/// <summary>
/// The signers a partner may contact: confirmed signatures it brought whose signers agreed to hear from it, nobody
/// else's. As JSON (cursor-paged, oldest first) or all at once as CSV (<c>export.csv</c>). Every read is audited.
/// </summary>
public sealed class Endpoint(PartnersStore partners, SignaturesStore signatures, LetterKeys letterKeys, AuditStore audit, TimeProvider clock)
    : Endpoint<Request, Page<ConsentingSigner>>
{
    public override void Configure()
    {
        Get("/api/partner/letters/{id:long}/signatures", "/api/partner/letters/{id:long}/export.csv");
        Roles(Role.Partner);
        Description(b => b.WithTags("Partner access")
            .WithSummary("The confirmed signers this partner brought who agreed to hear from it (export.csv: all of them as CSV)")
            .Produces<Page<ConsentingSigner>>().Produces(200, contentType: "text/csv").Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var partnerId = User.PartnerId()!.Value;
        var letter = await partners.LetterOfAsync(partnerId, Route<long>("id"), ct);
        if (letter is null)
        {
            // Not attached, detached, a draft, or no such letter: the same answer, so nothing is learnt about others' letters.
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "This partner has no letter with this id."));
            return;
        }
        var key = await letterKeys.GetAsync(letter.Id, ct);
        var csv = HttpContext.Request.Path.Value!.EndsWith(".csv");
        var rows = csv ? await AllAsync(letter.Id, partnerId, ct)
            : await signatures.ConsentingToPartnerAsync(letter.Id, partnerId, request.CursorKey ?? 0, request.Take + 1, ct);
        var page = csv ? new Page<SignatureRow>(rows, null) : Paging.Of(rows, request.Take, r => r.Id);
        var signers = page.Items.Select(r => (Row: r, Email: r.Email(key))).Where(s => s.Email is not null).Select(s => new ConsentingSigner
        {
            Id = s.Row.Id, Kind = s.Row.Kind, Name = s.Row.Name, Role = s.Row.Role, Organisation = s.Row.Organisation, Email = s.Email!,
            SignedAt = s.Row.SignedAt, ConfirmedAt = s.Row.ConfirmedAt,
        }).ToList();
        await audit.RecordAsync(null, clock.GetUtcNow(), User.KeyId(), csv ? "partner.export.csv" : "partner.signatures.read", letter.Id,
            rows: signers.Count, details: new { partner = partnerId }, ct: ct);

        if (csv)
        {
            var text = new StringBuilder("\uFEFF").Append(Csv.Row(["id", "kind", "name", "role", "organisation", "email", "signed_at", "confirmed_at"]));
            foreach (var s in signers)
                text.Append(Csv.Row([s.Id.ToString(), s.Kind, s.Name, s.Role, s.Organisation, s.Email, Json.Format(s.SignedAt),
                    s.ConfirmedAt is { } c ? Json.Format(c) : null]));
            HttpContext.Response.AsAttachment($"{letter.Slug}-partner-signers.csv");
            await Send.StringAsync(text.ToString(), contentType: "text/csv; charset=utf-8", cancellation: ct);
            return;
        }
        await Send.OkAsync(new(signers, page.NextCursor), ct);
    }

    async Task<List<SignatureRow>> AllAsync(long letterId, long partnerId, CancellationToken ct)
    {
        var all = new List<SignatureRow>();
        for (long after = 0; ;)
        {
            var batch = await signatures.ConsentingToPartnerAsync(letterId, partnerId, after, 1000, ct);
            all.AddRange(batch);
            if (batch.Count < 1000) return all;
            after = batch[^1].Id;
        }
    }
}

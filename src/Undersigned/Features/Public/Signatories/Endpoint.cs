using Dapper;
using FastEndpoints;
using Undersigned.Features.Signing;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Signatories;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Signatory
{
    /// <summary><c>organisation</c> or <c>individual</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>How the signatory is shown: "Name (Role, Organisation)" or "Organisation".</summary>
    public required string Display { get; init; }
    /// <summary>An individual's name; null for organisations (their contact person is never shown).</summary>
    public string? Name { get; init; }
    public string? Role { get; init; }
    public string? Organisation { get; init; }
}

public sealed class Endpoint(Db db, LetterCache letters) : Endpoint<Request, Page<Signatory>>
{
    public override void Configure()
    {
        Get("/api/public/letters/{slug}/signatories");
        AllowAnonymous();
        Description(b => b.WithName("ListPublicSignatories").WithTags("Public")
            .WithSummary("Confirmed signatories who chose to be shown: organisations first, then individuals, in order of signing")
            .Produces<Page<Signatory>>().Problems(400, 404), clearDefaults: true);
    }

    sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Organisation { get; init; }
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letter = (await letters.FindAsync(Route<string>("slug")!, ct))?.Row;
        if (letter is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 404, "No published letter has this slug."));
            return;
        }
        await using var connection = await db.OpenReadAsync(ct);

        // The cursor packs rank (organisations 0, individuals 1) and id into one key; each kind reads its own index range.
        const long rankShift = 1L << 48;
        var key = request.CursorKey ?? 0;
        var (rank, afterId) = (key / rankShift, key % rankShift);
        var rows = (await connection.QueryAsync<Row>("""
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @LetterId AND status = 'confirmed' AND kind = 'organisation' AND show_name = 1 AND @rank = 0 AND id > @afterId
                ORDER BY id LIMIT @take)
            UNION ALL
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @LetterId AND status = 'confirmed' AND kind = 'individual' AND show_name = 1
                  AND id > (CASE WHEN @rank = 1 THEN @afterId ELSE 0 END)
                ORDER BY id LIMIT @take)
            ORDER BY kind DESC, id
            """, new { LetterId = letter.Id, rank, afterId, take = request.Take + 1 })).ToList();
        var page = Paging.Of(rows, request.Take, r => (r.Kind == SignatureKind.Organisation ? 0 : rankShift) + r.Id);
        await Send.OkAsync(new(page.Items.Select(r => new Signatory
        {
            Kind = r.Kind,
            Display = SignerFields.Display(r.Kind, r.Name, r.Role, r.Organisation),
            Name = r.Kind == SignatureKind.Individual ? r.Name : null,
            Role = r.Kind == SignatureKind.Individual ? r.Role : null,
            Organisation = r.Organisation,
        }).ToList(), page.NextCursor), ct);
    }
}

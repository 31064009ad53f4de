using Dapper;
using FastEndpoints;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signing.Verify;

public sealed class Request : TokenRequest
{
    /// <summary>true: only say what confirming would publish, changing nothing (the page shows it before the person confirms).</summary>
    public bool Preview { get; set; }
}

public sealed class Validator : TokenRequestValidator<Request>;

public sealed class Response
{
    /// <summary><c>confirmed</c>, or <c>review</c> where staff approve signatures first; <c>pending</c> for a preview.</summary>
    public required string Status { get; init; }
    public required string LetterTitle { get; init; }
    public required string LetterSlug { get; init; }
    /// <summary>How the signatory is shown on the letter: "Name (Role, Organisation)", or the organisation.</summary>
    public required string Signatory { get; init; }
    /// <summary>false: counted, not listed by name.</summary>
    public required bool ShowName { get; init; }
}

public sealed class Endpoint(Db db, Settings settings, TimeProvider clock) : Endpoint<Request, Response>
{
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(7);

    public override void Configure()
    {
        Post("/api/public/signatures/verify");
        AllowAnonymous();
        Description(b => b.WithName("VerifySignature").WithTags("Public").WithSummary("Confirm a signature with the emailed token, or with preview say what confirming would publish")
            .WithMetadata(new Abuse.RateLimited(Abuse.RateLimited.Verification))
            .Produces<Response>().Problems(400, 410, 429), clearDefaults: true);
    }

    sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public bool Held { get; init; }
        public DateTimeOffset VerifyIssuedAt { get; init; }
        public DateTimeOffset ClosesAt { get; init; }
        public string Moderation { get; init; } = "";
        public string Title { get; init; } = "";
        public string Slug { get; init; } = "";
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Organisation { get; init; }
        public bool ShowName { get; init; }
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var hash = Token.Hash(request.Token!);
        await using var connection = await db.OpenAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>("""
            SELECT s.id, s.kind, s.status, s.held, s.verify_issued_at, s.name, s.role, s.organisation, s.show_name,
                   l.closes_at, l.moderation, l.title, l.slug
            FROM signatures s JOIN letters l ON l.id = s.letter_id WHERE s.verify_token_hash = @hash
            """, new { hash });
        if (row is null || row.Status is not (SignatureStatus.Pending or SignatureStatus.Expired))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This confirmation link is not valid: it may have been used already.",
                ("token", "is not valid.")));
            return;
        }
        // Evaluated now, not when issued, so extending the deadline also extends the time to confirm.
        var validUntil = Min(row.VerifyIssuedAt + TokenLifetime, row.ClosesAt + TimeSpan.FromHours(settings.VerificationGraceHours));
        if (now > validUntil) // an expired signature whose deadline moved may still be confirmed
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 410, "This confirmation link has expired.", ("token", "has expired.")));
            return;
        }

        Response Answer(string status) => new()
        {
            Status = status, LetterTitle = row.Title, LetterSlug = row.Slug,
            Signatory = SignerFields.Display(row.Kind, row.Name, row.Role, row.Organisation), ShowName = row.ShowName,
        };
        if (request.Preview)
        {
            await Send.OkAsync(Answer(SignatureStatus.Pending), ct);
            return;
        }

        var status = row.Held || row.Moderation == "all" || (row.Moderation == "organisations" && row.Kind == SignatureKind.Organisation)
            ? SignatureStatus.Review : SignatureStatus.Confirmed;
        var updated = await connection.ExecuteAsync("""
            UPDATE signatures SET status = @status, confirmed_at = @now, verify_token_hash = NULL
            WHERE id = @Id AND verify_token_hash = @hash
            """, new { status, now, row.Id, hash });
        if (updated == 0)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "This confirmation link has just been used.", ("token", "is not valid.")));
            return;
        }
        await Send.OkAsync(Answer(status), ct);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

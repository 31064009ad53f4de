using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Signatures.Invalidate;

public sealed class Request
{
    /// <summary>Invalidate signatures whose email is at this domain (or a sub-domain of it)...</summary>
    public string? EmailDomain { get; set; }
    /// <summary>...or that came from the client address with this hash (hex, from the signature list; kept 7 days).</summary>
    public string? AddressHash { get; set; }
    /// <summary>Signed at or after this instant (optional).</summary>
    public DateTimeOffset? From { get; set; }
    /// <summary>Signed before this instant (optional).</summary>
    public DateTimeOffset? To { get; set; }
    /// <summary>true: only say what would be invalidated. Always preview first.</summary>
    public bool? Preview { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.EmailDomain).NotEmpty().When(r => r.AddressHash is null).WithMessage("or addressHash is required.");
        RuleFor(r => r.EmailDomain).Null().When(r => r.AddressHash is not null).WithMessage("cannot be combined with addressHash.");
        RuleFor(r => r.EmailDomain).Matches(@"^[a-z0-9.-]+\.[a-z]{2,}\z").When(r => r.EmailDomain is not null)
            .WithMessage("must be a domain such as spam.example.");
        RuleFor(r => r.AddressHash).Matches(@"^[0-9a-f]{32}\z").When(r => r.AddressHash is not null).WithMessage("must be 32 lower-case hex digits.");
        RuleFor(r => r.To).GreaterThan(r => r.From).When(r => r.From is not null && r.To is not null).WithMessage("must be after from.");
        RuleFor(r => r.Preview).NotNull().WithMessage("must be true (look first) or false (invalidate).");
    }
}

public sealed class Response
{
    public bool Preview { get; init; }
    /// <summary>How many signatures matched (and, unless previewing, are now rejected).</summary>
    public int Matched { get; init; }
    public required long[] SignatureIds { get; init; }
}

/// <summary>Bulk invalidation of a flood: matching pending, review and confirmed signatures become rejected and leave lists and counts.</summary>
public sealed class Endpoint(Db db, LettersStore letters, SignaturesStore signatures, AuditStore audit, LetterKeys letterKeys, TimeProvider clock)
    : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/invalidations");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("InvalidateSignatures").WithTags("Signatures")
            .WithSummary("Invalidate signatures by email domain or address hash within a time range (preview first)")
            .Produces<Response>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        var now = clock.GetUtcNow();
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        // Matched and decrypted before the write lock is taken: a flood can be large.
        var candidates = await signatures.RejectableAsync(letterId, request.From ?? DateTimeOffset.UnixEpoch,
            request.To ?? DateTimeOffset.MaxValue.AddYears(-1), request.AddressHash is null ? null : Convert.FromHexString(request.AddressHash), ct);
        var key = await letterKeys.GetAsync(letterId, ct);
        var domain = request.EmailDomain is null ? null : "." + request.EmailDomain;
        var matched = candidates.Where(c => domain is null || (c.EmailEncrypted is not null && key is not null
                && ("." + Aead.OpenText(key, c.EmailEncrypted).Split('@')[^1].ToLowerInvariant()).EndsWith(domain)))
            .Select(c => c.Id).ToArray();

        if (request.Preview == false && matched.Length > 0)
        {
            await using var tx = await db.BeginWriteAsync(ct);
            await signatures.RejectAsync(tx, letterId, matched, User.KeyId(), now);
            await audit.RecordAsync(tx, now, User.KeyId(), "signatures.invalidate", letterId, rows: matched.Length,
                details: new { request.EmailDomain, request.AddressHash, request.From, request.To });
            await tx.CommitAsync(ct);
        }
        await Send.OkAsync(new Response { Preview = request.Preview!.Value, Matched = matched.Length, SignatureIds = matched }, ct);
    }
}

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.Attach;

public sealed class Request
{
    public long? PartnerId { get; set; }
    /// <summary>The partner's sites that may embed the widget (added to the letter's own list when it has one).</summary>
    public string[]? AllowedOrigins { get; set; }
    /// <summary>Whether the form asks signers who came through this partner to let it contact them (unticked by default).</summary>
    public bool? AskContactConsent { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.PartnerId).NotNull();
        RuleFor(r => r.AllowedOrigins).Must(o => o!.Length <= 20).When(r => r.AllowedOrigins is not null).WithMessage("must list at most 20 origins.");
        RuleForEach(r => r.AllowedOrigins).Must(o => Origin.Normalise(o) is not null).WithMessage("must be an origin: scheme://host[:port], with no path.");
    }
}

/// <summary>Attaches a partner to a letter (again, if it was detached): its code then attributes signatures.</summary>
public sealed class Endpoint(Db db, LettersStore letters, PartnersStore partners, AuditStore audit, TimeProvider clock) : Endpoint<Request>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/partners");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("AttachPartner").WithTags("Partners").WithSummary("Attach a partner to a letter, or change its attachment")
            .Produces(204).Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letterId = Route<long>("id");
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        if (await partners.FindAsync(request.PartnerId!.Value, ct) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "No partner has this id.", ("partnerId", "is not a partner.")));
            return;
        }
        var now = clock.GetUtcNow();
        var origins = (request.AllowedOrigins ?? []).Select(o => Origin.Normalise(o)!).Distinct().ToArray();
        await using var tx = await db.BeginWriteAsync(ct);
        await partners.AttachAsync(tx, letterId, request.PartnerId.Value, origins, request.AskContactConsent == true, now);
        await audit.RecordAsync(tx, now, User.KeyId(), "partner.attach", letterId,
            details: new { request.PartnerId, allowedOrigins = origins, askContactConsent = request.AskContactConsent == true });
        await tx.CommitAsync(ct);
        await Send.NoContentAsync(ct);
    }
}

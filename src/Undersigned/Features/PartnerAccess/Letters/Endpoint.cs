using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.PartnerAccess.Letters;

public sealed class PartnerLetter
{
    public long Id { get; init; }
    public required string Slug { get; init; }
    public required string Title { get; init; }
    public required string Target { get; init; }
    /// <summary><c>scheduled</c>, <c>open</c> or <c>closed</c>.</summary>
    public required string Status { get; init; }
    public DateTimeOffset? OpensAt { get; init; }
    public DateTimeOffset ClosesAt { get; init; }
    public required string TimeZone { get; init; }
    /// <summary>
    /// This partner's own numbers (nobody else's): <c>submitted</c>, every entry it made and every signature through its
    /// code, whatever became of it; <c>confirmed</c>, those first submitted through it that count now.
    /// </summary>
    public required PartnerCounts Counts { get; init; }
}

public sealed class Response
{
    public required List<PartnerLetter> Items { get; init; }
}

/// <summary>
/// A partner key's letters: those its partner is attached to, published. Public fields and the partner's own counts only:
/// never allowed origins, the notify address, other partners or the reasons deadlines moved.
/// </summary>
public sealed class Endpoint(PartnersStore partners, TimeProvider clock) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/partner/letters");
        Roles(Role.Partner);
        Description(b => b.WithName("ListPartnerLetters").WithTags("Partner access")
            .WithSummary("A partner key's letters, with the signatures its partner brought by status")
            .Produces<Response>(), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var partnerId = User.PartnerId()!.Value;
        var now = clock.GetUtcNow();
        var counts = await partners.CountsOfAsync(partnerId, ct);
        await Send.OkAsync(new Response
        {
            Items = (await partners.LettersOfAsync(partnerId, ct)).Select(l => new PartnerLetter
            {
                Id = l.Id, Slug = l.Slug, Title = l.Title, Target = l.Target, Status = LetterStatus.Of(l, now), OpensAt = l.OpensAt,
                ClosesAt = l.ClosesAt, TimeZone = l.TimeZone,
                Counts = counts.GetValueOrDefault(l.Id, PartnerCounts.None),
            }).ToList(),
        }, ct);
    }
}

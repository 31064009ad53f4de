using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.Attached;

public sealed class Item
{
    public long PartnerId { get; init; }
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string[] AllowedOrigins { get; init; }
    public bool AskContactConsent { get; init; }
    public DateTimeOffset AttachedAt { get; init; }
    /// <summary>Set once detached: the code no longer signs anyone up; what it brought stays attributed.</summary>
    public DateTimeOffset? DetachedAt { get; init; }
    /// <summary>The signatures it brought, per status.</summary>
    public required Dictionary<string, long> Counts { get; init; }
}

public sealed class Response
{
    public required List<Item> Items { get; init; }
}

public sealed class Endpoint(LettersStore letters, PartnersStore partners) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/partners");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListLetterPartners").WithTags("Partners")
            .WithSummary("A letter's partners (detached ones too), each with the signatures it brought by status")
            .Produces<Response>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var letterId = Route<long>("id");
        if (!await letters.ExistsAsync(letterId, ct))
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var attached = await partners.AttachedAsync(letterId, ct);
        await Send.OkAsync(new Response
        {
            Items = attached.Select(a => new Item
            {
                PartnerId = a.Partner.PartnerId, Code = a.Partner.Code, Name = a.Partner.Name, AllowedOrigins = a.Partner.Origins,
                AskContactConsent = a.Partner.AskContactConsent, AttachedAt = a.Partner.AttachedAt, DetachedAt = a.Partner.DetachedAt, Counts = a.Counts,
            }).ToList(),
        }, ct);
    }
}

using FastEndpoints;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.List;

public sealed class Request : PageQuery;

public sealed class Validator : PageQueryValidator<Request>;

public sealed class Endpoint(PartnersStore partners) : Endpoint<Request, Page<PartnerRow>>
{
    public override void Configure()
    {
        Get("/api/partners");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListPartners").WithTags("Partners").WithSummary("Partner organisations, oldest first")
            .Produces<Page<PartnerRow>>().Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
        => await Send.OkAsync(Paging.Of(await partners.ListAsync(request.CursorKey, request.Take + 1, ct), request.Take, p => p.Id), ct);
}

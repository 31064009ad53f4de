using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.Create;

public sealed class Request : PartnerFields;

public sealed class Validator : PartnerFieldsValidator<Request>;

public sealed class Endpoint(PartnersStore partners, AuditStore audit, TimeProvider clock) : Endpoint<Request, PartnerRow>
{
    public override void Configure()
    {
        Post("/api/partners");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("CreatePartner").WithTags("Partners").WithSummary("Add a partner organisation")
            .Produces<PartnerRow>(201).Problems(400, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var partner = await partners.CreateAsync(request.Name!.Trim(), request.Code!, Text.Blank(request.Website), now, ct);
        if (partner is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Another partner has this code.", ("code", "is taken.")));
            return;
        }
        await audit.RecordAsync(null, now, User.KeyId(), "partner.create", null, details: new { partner.Id, partner.Code }, ct: ct);
        HttpContext.Response.Headers.Location = $"/api/partners/{partner.Id}";
        await Send.ResponseAsync(partner, 201, ct);
    }
}

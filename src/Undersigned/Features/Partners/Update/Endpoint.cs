using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Partners.Update;

public sealed class Request : PartnerFields;

public sealed class Validator : PartnerFieldsValidator<Request>;

/// <summary>Changes a partner's name, code or website (all three sent). A new code stops the old one in embeds.</summary>
public sealed class Endpoint(Db db, PartnersStore partners, AuditStore audit, TimeProvider clock) : Endpoint<Request, PartnerRow>
{
    public override void Configure()
    {
        Patch("/api/partners/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("UpdatePartner").WithTags("Partners").WithSummary("Change a partner's name, code or website")
            .Produces<PartnerRow>().Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var id = Route<long>("id");
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginWriteAsync(ct);
        var result = await partners.UpdateAsync(tx, id, request.Name!.Trim(), request.Code!, Text.Blank(request.Website), now);
        if (result != PartnersStore.Update.Updated)
        {
            await Send.ResultAsync(result == PartnersStore.Update.NotFound ? Problems.Create(HttpContext, 404, "No partner has this id.")
                : Problems.Create(HttpContext, 409, "Another partner has this code.", ("code", "is taken.")));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "partner.update", null, details: new { id, request.Code });
        await tx.CommitAsync(ct);
        await Send.OkAsync((await partners.FindAsync(id, ct))!, ct);
    }
}

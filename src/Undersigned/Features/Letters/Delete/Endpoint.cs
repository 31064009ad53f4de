using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Delete;

public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest
{
    public override void Configure()
    {
        Delete("/api/letters/{id:long}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("DeleteLetter").WithTags("Letters").WithSummary("Delete a draft letter")
            .Produces(204).Problems(404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        switch (await letters.DeleteDraftAsync(Route<long>("id"), ct))
        {
            case LettersStore.Deletion.Deleted:
                await Send.NoContentAsync(ct);
                break;
            case LettersStore.Deletion.Published:
                await Send.ResultAsync(Problems.Create(HttpContext, 409, "A published letter cannot be deleted: close it instead."));
                break;
            default:
                await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
                break;
        }
    }
}

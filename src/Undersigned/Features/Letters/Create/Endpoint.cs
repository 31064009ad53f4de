using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Create;

public sealed class Request : LetterFields;

public sealed class Validator : LetterFieldsValidator<Request>
{
    public Validator()
    {
        RuleFor(l => l.ClosesAt).Must(c => c > Resolve<TimeProvider>().GetUtcNow()).When(l => l.ClosesAt is not null)
            .WithMessage("must be in the future.");
    }
}

public sealed class Endpoint(Db db, LettersStore letters, LetterReader reader, TimeProvider clock) : Endpoint<Request, LetterResponse>
{
    public override void Configure()
    {
        Post("/api/letters");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("CreateLetter").WithTags("Letters").WithSummary("Create a draft letter")
            .Produces<LetterResponse>(201).Problems(400, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        request.ApplyDefaults();
        var now = clock.GetUtcNow();
        long id;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var slug = await letters.FreeSlugAsync(tx, request.Slug ?? Text.Slugify(request.Title!), generated: request.Slug is null);
            if (slug is null)
            {
                await Send.ResultAsync(Problems.Create(HttpContext, 409, "Another letter already has this slug.", ("slug", "is taken.")));
                return;
            }
            id = await letters.CreateAsync(tx, request.ToValues(slug), User.KeyId(), now);
            await tx.CommitAsync(ct);
        }
        HttpContext.Response.Headers.Location = $"/api/letters/{id}";
        await Send.ResponseAsync(await reader.SavedAsync(HttpContext, id, now, ct), 201, ct);
    }
}

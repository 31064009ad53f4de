using Dapper;
using FastEndpoints;
using FluentValidation;
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

public sealed class Endpoint(Db db, TimeProvider clock) : Endpoint<Request, LetterResponse>
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);

        var slug = await LetterData.FreeSlugAsync(connection, request.Slug ?? Text.Slugify(request.Title!), request.Slug is null, tx);
        if (slug is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Another letter already has this slug.", ("slug", "is taken.")));
            return;
        }

        var id = await connection.ExecuteScalarAsync<long>("""
            INSERT INTO letters (slug, title, body, target, opens_at, closes_at, time_zone, moderation, allowed_origins,
                                 retain_contact_days, challenge, consent_text, created_at, created_by, updated_at)
            VALUES (@slug, @Title, @Body, @Target, @OpensAt, @ClosesAt, @TimeZone, @Moderation, @origins,
                    @RetainContactDays, @Challenge, @ConsentText, @now, @keyId, @now)
            RETURNING id
            """, new
        {
            slug, request.Title, request.Body, request.Target, request.OpensAt, request.ClosesAt, request.TimeZone, request.Moderation,
            origins = System.Text.Json.JsonSerializer.Serialize(request.AllowedOrigins), request.RetainContactDays, request.Challenge,
            request.ConsentText, now, keyId = User.KeyId(),
        }, tx);
        await LetterData.AddConsentVersionAsync(connection, tx, id, 1, request.ConsentText!, now);
        await tx.CommitAsync(ct);

        var row = (await LetterData.FindAsync(connection, id))!;
        HttpContext.Response.Headers.ETag = row.ETag;
        HttpContext.Response.Headers.Location = $"/api/letters/{id}";
        await Send.ResponseAsync(await LetterData.ToResponseAsync(connection, row, now), 201, ct);
    }
}

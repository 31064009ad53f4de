using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Close;

public sealed class Request
{
    /// <summary>Optional: why signing stops early, kept in the letter's history.</summary>
    public string? Reason { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Reason).MaximumLength(500).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
    }
}

public sealed class Endpoint(Db db, LettersStore letters, LetterReader reader, AuditStore audit, TimeProvider clock) : Endpoint<Request, LetterResponse>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/close");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("CloseLetter").WithTags("Letters")
            .WithSummary("Stop signing now: closesAt becomes now, recorded in the deadline history")
            .Produces<LetterResponse>().Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = Json.Truncate(clock.GetUtcNow());
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var row = await letters.FindAsync(tx, Route<long>("id"));
            var problem =
                row is null ? Problems.LetterNotFound(HttpContext)
                : row.PublishedAt is null ? Problems.Create(HttpContext, 409, "A draft is not open for signing: delete it, or publish it first.")
                : row.ClosesAt <= now ? Problems.Create(HttpContext, 409, "The letter is already closed.")
                : null;
            if (problem is not null)
            {
                await Send.ResultAsync(problem);
                return;
            }

            await letters.MoveDeadlineAsync(tx, row!, DeadlineChangeKind.Closed, now, request.Reason, User.KeyId(), now);
            await audit.RecordAsync(tx, now, User.KeyId(), "letter.close", row!.Id, details: new { from = row.ClosesAt, to = now });
            await tx.CommitAsync(ct);
        }

        await Send.OkAsync(await reader.SavedAsync(HttpContext, Route<long>("id"), now, ct), ct);
    }
}

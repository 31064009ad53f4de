using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Deadline;

public sealed class Request
{
    /// <summary>The new deadline; must be in the future (use /close to close now).</summary>
    public DateTimeOffset? ClosesAt { get; set; }
    /// <summary>Why the deadline moves, kept in the letter's history.</summary>
    public string? Reason { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.ClosesAt).NotNull();
        RuleFor(r => r.ClosesAt).Must(c => c > Resolve<TimeProvider>().GetUtcNow()).When(r => r.ClosesAt is not null)
            .WithMessage("must be in the future; POST /api/letters/{id}/close closes a letter now.");
        RuleFor(r => r.ClosesAt).Must(c => CampaignDates.WithinReach(c, Resolve<TimeProvider>())).WithMessage(CampaignDates.WithinReachMessage);
        RuleFor(r => r.Reason).NotEmpty().MaximumLength(500).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
    }
}

public sealed class Endpoint(Db db, LettersStore letters, LetterReader reader, AuditStore audit, TimeProvider clock) : Endpoint<Request, LetterResponse>
{
    public override void Configure()
    {
        Post("/api/letters/{id:long}/deadline");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("MoveLetterDeadline").WithTags("Letters")
            .WithSummary("Move a letter's deadline (extend, shorten or reopen), with a reason kept in its history")
            .Produces<LetterResponse>().Problems(400, 404, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var closesAt = request.ClosesAt!.Value;
        await using (var tx = await db.BeginWriteAsync(ct))
        {
            var row = await letters.FindAsync(tx, Route<long>("id"));
            var problem =
                row is null ? Problems.LetterNotFound(HttpContext)
                : row.PurgedAt is not null ? Problems.Create(HttpContext, 409, "The letter's contact data has been purged, so it cannot reopen.")
                : closesAt == row.ClosesAt ? Problems.Create(HttpContext, 409, "That is already the letter's deadline.", ("closesAt", "is unchanged."))
                : row.OpensAt >= closesAt ? Problems.Create(HttpContext, 409, "The deadline would fall before the letter opens.", ("closesAt", "must be after opensAt."))
                : null;
            if (problem is not null)
            {
                await Send.ResultAsync(problem);
                return;
            }

            var change = row!.PublishedAt is null ? DeadlineChangeKind.Moved
                : row.ClosesAt <= now ? DeadlineChangeKind.Reopened
                : closesAt > row.ClosesAt ? DeadlineChangeKind.Extended
                : DeadlineChangeKind.Shortened;
            await letters.MoveDeadlineAsync(tx, row, change, closesAt, request.Reason, User.KeyId(), now);
            await audit.RecordAsync(tx, now, User.KeyId(), "letter.deadline", row.Id, details: new { change, from = row.ClosesAt, to = closesAt });
            await tx.CommitAsync(ct);
        }

        await Send.OkAsync(await reader.SavedAsync(HttpContext, Route<long>("id"), now, ct), ct);
    }
}

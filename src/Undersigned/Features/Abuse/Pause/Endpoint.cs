using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Pause;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Abuse.Pause;

public sealed class Request
{
    /// <summary>Why signing is paused, kept in the audit trail (and in letters' histories if deadlines move).</summary>
    public string? Reason { get; set; }
    /// <summary>true: on resume, every letter open when the pause began gets its deadline moved by the paused time.</summary>
    public bool? ExtendDeadlines { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(500).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
}

public sealed class Response
{
    public bool Paused { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset? PausedAt { get; init; }
    public bool ExtendDeadlines { get; init; }
    /// <summary>On resume: the letters whose deadline moved.</summary>
    public long[] ExtendedLetters { get; init; } = [];
}

/// <summary>Pause all signing (POST) or resume it (DELETE). While paused, signing answers 503 with Retry-After.</summary>
public sealed class Endpoint(Db db, PauseSwitch pause, AuditStore audit, TimeProvider clock) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/admin/pause");
        Roles(Role.Admin);
        Description(b => b.WithName("PauseSigning").WithTags("Admin").WithSummary("Pause all signing, with a reason")
            .Produces<Response>().Problems(400, 409), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var now = Json.Truncate(clock.GetUtcNow());
        var state = new PauseState { Reason = request.Reason!, Extend = request.ExtendDeadlines == true, PausedAt = now, PausedBy = User.KeyId() };
        await using var tx = await db.BeginWriteAsync(ct);
        if (!await pause.PauseAsync(tx, state))
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Signing is already paused."));
            return;
        }
        await audit.RecordAsync(tx, now, User.KeyId(), "service.pause", null, details: new { request.Reason, request.ExtendDeadlines });
        await tx.CommitAsync(ct);
        await Send.OkAsync(new Response { Paused = true, Reason = request.Reason, PausedAt = now, ExtendDeadlines = state.Extend }, ct);
    }
}

public sealed class ResumeEndpoint(Db db, PauseSwitch pause, LettersStore letters, AuditStore audit, TimeProvider clock) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Delete("/api/admin/pause");
        Roles(Role.Admin);
        Description(b => b.WithName("ResumeSigning").WithTags("Admin")
            .WithSummary("Resume signing; where asked, open letters' deadlines move by the paused time, recorded in their histories")
            .Produces<Response>().Problems(409), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var now = Json.Truncate(clock.GetUtcNow());
        await using var tx = await db.BeginWriteAsync(ct);
        var state = await pause.ResumeAsync(tx);
        if (state is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Signing is not paused."));
            return;
        }
        // Letters that were open when the pause began lost that time.
        var extended = state.Extend
            ? await letters.ExtendPausedAsync(tx, state.PausedAt, $"Signing was paused: {state.Reason}", User.KeyId(), now)
            : [];
        await audit.RecordAsync(tx, now, User.KeyId(), "service.resume", null, rows: extended.Count,
            details: new { pausedAt = state.PausedAt, extendedLetters = extended });
        await tx.CommitAsync(ct);
        await Send.OkAsync(new Response { Paused = false, Reason = state.Reason, PausedAt = state.PausedAt, ExtendDeadlines = state.Extend, ExtendedLetters = [.. extended] }, ct);
    }
}

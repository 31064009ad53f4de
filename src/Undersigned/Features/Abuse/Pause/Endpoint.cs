using Dapper;
using FastEndpoints;
using FluentValidation;
using Undersigned.Features.Letters;
using Undersigned.Features.Public;
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
public sealed class Endpoint(Db db, PauseSwitch pause, TimeProvider clock) : Endpoint<Request, Response>
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        if (await connection.ExecuteAsync("""
                INSERT INTO service_pause (id, reason, extend, paused_at, paused_by) VALUES (1, @Reason, @extend, @now, @keyId)
                ON CONFLICT DO NOTHING
                """, new { request.Reason, extend = request.ExtendDeadlines == true, now, keyId = User.KeyId() }, tx) == 0)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Signing is already paused."));
            return;
        }
        await AuditTrail.RecordAsync(connection, tx, now, User.KeyId(), "service.pause", null, details: new { request.Reason, request.ExtendDeadlines });
        await tx.CommitAsync(ct);
        pause.Set(new PauseState { Reason = request.Reason!, Extend = request.ExtendDeadlines == true, PausedAt = now, PausedBy = User.KeyId() });
        await Send.OkAsync(new Response { Paused = true, Reason = request.Reason, PausedAt = now, ExtendDeadlines = request.ExtendDeadlines == true }, ct);
    }
}

public sealed class ResumeEndpoint(Db db, PauseSwitch pause, LetterCache letterCache, TimeProvider clock) : EndpointWithoutRequest<Response>
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
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginWriteAsync(ct);
        var state = await connection.QuerySingleOrDefaultAsync<PauseState>(
            "SELECT reason, extend, paused_at, paused_by FROM service_pause WHERE id = 1", transaction: tx);
        if (state is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 409, "Signing is not paused."));
            return;
        }

        var extended = new List<long>();
        if (state.Extend)
        {
            var paused = now - state.PausedAt;
            // Letters that were open when the pause began lost that time.
            var letters = await connection.QueryAsync<LetterRow>(
                "SELECT * FROM letters WHERE published_at IS NOT NULL AND purged_at IS NULL AND closes_at > @PausedAt AND coalesce(opens_at, 0) <= @PausedAt",
                new { state.PausedAt }, tx);
            foreach (var letter in letters)
            {
                var closesAt = letter.ClosesAt + paused;
                await LetterData.RecordDeadlineChangeAsync(connection, tx, letter.Id, "extended", letter.ClosesAt, closesAt,
                    $"Signing was paused: {state.Reason}", now, User.KeyId());
                await connection.ExecuteAsync("UPDATE letters SET closes_at = @closesAt, row_version = row_version + 1, updated_at = @now WHERE id = @Id",
                    new { closesAt, now, letter.Id }, tx);
                extended.Add(letter.Id);
            }
        }
        await connection.ExecuteAsync("DELETE FROM service_pause WHERE id = 1", transaction: tx);
        await AuditTrail.RecordAsync(connection, tx, now, User.KeyId(), "service.resume", null, rows: extended.Count,
            details: new { pausedAt = state.PausedAt, extendedLetters = extended });
        await tx.CommitAsync(ct);
        pause.Set(null);
        letterCache.Forget();
        await Send.OkAsync(new Response { Paused = false, Reason = state.Reason, PausedAt = state.PausedAt, ExtendDeadlines = state.Extend, ExtendedLetters = [.. extended] }, ct);
    }
}

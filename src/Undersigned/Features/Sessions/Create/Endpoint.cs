using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Sessions.Create;

public sealed class Request
{
    /// <summary>An API key. It is used once, here; the console keeps only the session token.</summary>
    public string? Key { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Key).NotEmpty().MaximumLength(200);
    }
}

public sealed class Response
{
    /// <summary>Send as <c>Authorization: Bearer TOKEN</c>. Shown once; only its hash is stored.</summary>
    public required string Token { get; init; }
    public required SessionResponse Session { get; init; }
}

/// <summary>Exchanges an API key for a session token that lasts 8 hours, so a browser never has to keep the key.</summary>
public sealed class Endpoint(Db db, ApiKeysStore keys, AuditStore audit, TimeProvider clock) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/sessions");
        AllowAnonymous();
        Description(b => b.WithName("CreateSession").WithTags("Sessions")
            .WithSummary("Exchange an API key for a bearer session token valid 8 hours (the console signs in with it)")
            .Produces<Response>(201).Problems(400, 401), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var key = ApiKey.IsSession(request.Key!) ? null : await keys.FindActiveAsync(ApiKey.Hash(request.Key!.Trim()), ct);
        if (key is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 401, "This key is unknown or revoked.", ("key", "is not an active API key.")));
            return;
        }
        var now = clock.GetUtcNow();
        var token = ApiKey.GenerateSession();
        await using var tx = await db.BeginWriteAsync(ct);
        var session = await keys.CreateSessionAsync(tx, key.Value.Id, token, now, now + ApiKey.SessionLifetime);
        await audit.RecordAsync(tx, now, key.Value.Id, "session.create", null, details: new { session = session.Id });
        await tx.CommitAsync(ct);
        await Send.ResponseAsync(new Response { Token = token, Session = session }, 201, ct);
    }
}

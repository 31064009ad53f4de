using Dapper;
using FastEndpoints;
using FluentValidation;
using Undersigned.Features.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.Create;

public sealed class Request
{
    /// <summary>Who or what holds the key, such as "Amina (campaigns)".</summary>
    public string? Name { get; set; }
    /// <summary><c>admin</c> or <c>staff</c>.</summary>
    public string? Role { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(r => r.Role).NotEmpty().Must(r => r is Infrastructure.Role.Admin or Infrastructure.Role.Staff)
            .WithMessage("must be admin or staff.");
    }
}

public sealed class Response
{
    public required KeyResponse Key { get; init; }
    /// <summary>The key itself. It is shown only now: store it somewhere safe.</summary>
    public required string Secret { get; init; }
}

public sealed class Endpoint(Db db, TimeProvider clock) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/keys");
        Roles(Role.Admin);
        Description(b => b.WithName("CreateKey").WithTags("Keys").WithSummary("Create an API key (shown once)")
            .Produces<Response>(201).Problems(400), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var secret = ApiKey.Generate();
        var now = clock.GetUtcNow();
        await using var connection = await db.OpenAsync(ct);
        var key = await connection.QuerySingleAsync<KeyResponse>("""
            INSERT INTO api_keys (name, role, key_hash, hint, created_at, created_by) VALUES (@Name, @Role, @hash, @hint, @now, @keyId)
            RETURNING id, name, role, hint, created_at, created_by, revoked_at
            """, new { request.Name, request.Role, hash = ApiKey.Hash(secret), hint = ApiKey.Hint(secret), now, keyId = User.KeyId() });
        await AuditTrail.RecordAsync(connection, null, now, User.KeyId(), "key.create", null, details: new { key.Id, key.Role });
        HttpContext.Response.Headers.Location = "/api/keys";
        await Send.ResponseAsync(new Response { Key = key, Secret = secret }, 201, ct);
    }
}

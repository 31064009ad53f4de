using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Keys;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Keys.Create;

public sealed class Request
{
    /// <summary>Who or what holds the key, such as "Amina (campaigns)".</summary>
    public string? Name { get; set; }
    /// <summary><c>admin</c>, <c>staff</c> or <c>partner</c>.</summary>
    public string? Role { get; set; }
    /// <summary>For a partner key: the partner it is bound to (its routes then answer about that partner only).</summary>
    public long? PartnerId { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100).Must(Text.IsSingleLine).WithMessage("must be a single line of text.");
        RuleFor(r => r.Role).NotEmpty()
            .Must(r => r is Infrastructure.Role.Admin or Infrastructure.Role.Staff or Infrastructure.Role.Partner or Infrastructure.Role.Metrics)
            .WithMessage("must be admin, staff, partner or metrics.");
        RuleFor(r => r.PartnerId).NotNull().When(r => r.Role == Infrastructure.Role.Partner).WithMessage("is required for a partner key.");
        RuleFor(r => r.PartnerId).Null().When(r => r.Role != Infrastructure.Role.Partner).WithMessage("is only for partner keys.");
    }
}

public sealed class Response
{
    public required KeyResponse Key { get; init; }
    /// <summary>The key itself. It is shown only now: store it somewhere safe.</summary>
    public required string Secret { get; init; }
}

public sealed class Endpoint(ApiKeysStore keys, PartnersStore partners, AuditStore audit, TimeProvider clock) : Endpoint<Request, Response>
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
        if (request.PartnerId is { } partnerId && await partners.FindAsync(partnerId, ct) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "No partner has this id.", ("partnerId", "is not a partner.")));
            return;
        }
        var secret = ApiKey.Generate();
        var now = clock.GetUtcNow();
        var key = await keys.CreateAsync(request.Name!, request.Role!, request.PartnerId, secret, User.KeyId(), now, ct);
        await audit.RecordAsync(null, now, User.KeyId(), "key.create", null, details: new { key.Id, key.Role, key.PartnerId }, ct: ct);
        HttpContext.Response.Headers.Location = "/api/keys";
        await Send.ResponseAsync(new Response { Key = key, Secret = secret }, 201, ct);
    }
}

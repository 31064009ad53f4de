using FastEndpoints;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Me;

public sealed class Response
{
    public long KeyId { get; init; }
    /// <summary>The key's name, such as "Amina (campaigns)".</summary>
    public required string Name { get; init; }
    /// <summary><c>admin</c>, <c>staff</c> or <c>partner</c>: what the console offers follows from it.</summary>
    public required string Role { get; init; }
    /// <summary>The partner a partner key is bound to; null for staff and admin keys.</summary>
    public long? Partner { get; init; }
    /// <summary>The session the request came with; null when it came with the key itself.</summary>
    public long? SessionId { get; init; }
}

/// <summary>Who the caller is: the key (or session's key) name and role.</summary>
public sealed class Endpoint(ApiKeysStore keys) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/me");
        Roles(Role.Staff, Role.Admin, Role.Partner);
        Description(b => b.WithName("GetMe").WithTags("Sessions").WithSummary("The caller's key: name and role")
            .Produces<Response>(), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var key = (await keys.FindAsync(User.KeyId(), ct))!;
        await Send.OkAsync(new Response { KeyId = key.Id, Name = key.Name, Role = key.Role, Partner = key.PartnerId, SessionId = User.SessionId() }, ct);
    }
}

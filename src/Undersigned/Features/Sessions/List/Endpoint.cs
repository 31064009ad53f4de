using FastEndpoints;
using Undersigned.Domain.Keys;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Sessions.List;

public sealed class Response
{
    public required List<SessionResponse> Items { get; init; }
}

/// <summary>Live sessions: an admin sees every key's, anyone else their own key's.</summary>
public sealed class Endpoint(ApiKeysStore keys, TimeProvider clock) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/sessions");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListSessions").WithTags("Sessions")
            .WithSummary("Live sessions, newest first: every key's for an admin, the caller's key's otherwise")
            .Produces<Response>(), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
        => await Send.OkAsync(new Response
        {
            Items = await keys.ListSessionsAsync(User.IsInRole(Role.Admin) ? null : User.KeyId(), clock.GetUtcNow(), ct),
        }, ct);
}

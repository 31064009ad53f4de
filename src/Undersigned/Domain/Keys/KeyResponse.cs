using Undersigned.Infrastructure;

namespace Undersigned.Domain.Keys;

public sealed class KeyResponse
{
    public long Id { get; init; }
    public required string Name { get; init; }
    /// <summary><c>admin</c>, <c>staff</c> or <c>partner</c>.</summary>
    public required string Role { get; init; }
    /// <summary>The partner a partner key is bound to.</summary>
    public long? PartnerId { get; init; }
    /// <summary>The key's first characters, to recognise it.</summary>
    public required string Hint { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The id of the key that created this one; null for keys made at start-up.</summary>
    public long? CreatedBy { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>A console sign-in: a bearer token for one key, valid until <see cref="ExpiresAt"/> unless ended sooner.</summary>
public sealed class SessionResponse
{
    public long Id { get; init; }
    /// <summary>The key the session acts as.</summary>
    public long KeyId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

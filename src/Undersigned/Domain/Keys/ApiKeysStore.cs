using Dapper;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Keys;

/// <summary>The only place that reads and writes API keys and their sessions (stored as SHA-256 hashes, never the secret).</summary>
public sealed class ApiKeysStore(Db db)
{
    const string Columns = "id, name, role, hint, created_at, created_by, revoked_at, partner_id";

    /// <summary>The active key with this hash: its id, role and (for a partner key) partner.</summary>
    public async Task<(long Id, string Role, long? PartnerId)?> FindActiveAsync(byte[] hash, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<(long, string, long?)?>(
            "SELECT id, role, partner_id FROM api_keys WHERE key_hash = @hash AND revoked_at IS NULL", new { hash });
    }

    public async Task<KeyResponse> CreateAsync(string name, string role, long? partnerId, string secret, long? createdBy, DateTimeOffset now,
        CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        return await connection.QuerySingleAsync<KeyResponse>($"""
            INSERT INTO api_keys (name, role, partner_id, key_hash, hint, created_at, created_by) VALUES (@name, @role, @partnerId, @hash, @hint, @now, @createdBy)
            RETURNING {Columns}
            """, new { name, role, partnerId, hash = ApiKey.Hash(secret), hint = ApiKey.Hint(secret), now, createdBy });
    }

    public async Task<List<KeyResponse>> ListAsync(long? before, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<KeyResponse>($"SELECT {Columns} FROM api_keys WHERE id < @before ORDER BY id DESC LIMIT @take",
            new { before = before ?? long.MaxValue, take })).ToList();
    }

    public enum Revocation { Revoked, NotFound, LastAdmin }

    /// <summary>Revokes a key, unless it is the last admin key; the row stays, so the history of what it did still names it.</summary>
    public async Task<(Revocation Result, string? Role)> RevokeAsync(WriteTransaction tx, long id, DateTimeOffset now)
    {
        var role = await tx.SingleOrDefaultAsync<string>("SELECT role FROM api_keys WHERE id = @id AND revoked_at IS NULL", new { id });
        if (role is null) return (Revocation.NotFound, null);
        if (role == Role.Admin && await CountActiveAdminsAsync(tx) == 1) return (Revocation.LastAdmin, role);
        await tx.ExecuteAsync("UPDATE api_keys SET revoked_at = @now WHERE id = @id", new { now, id });
        return (Revocation.Revoked, role);
    }

    Task<long> CountActiveAdminsAsync(WriteTransaction tx) => tx.ScalarAsync<long>(CountActiveAdmins, new { Role.Admin });

    const string CountActiveAdmins = "SELECT count(*) FROM api_keys WHERE role = @Admin AND revoked_at IS NULL";

    public enum Configured { Active, Revoked }

    /// <summary>
    /// The configured admin key replaces any earlier configured key (revoking it) and is created if new. A configured key
    /// that was revoked through the API stays revoked: revoking must not be undone by a restart.
    /// </summary>
    public async Task<Configured> EnsureConfiguredAdminAsync(string key, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var hash = ApiKey.Hash(key);
        await tx.ExecuteAsync("UPDATE api_keys SET revoked_at = @now WHERE configured = @yes AND revoked_at IS NULL AND key_hash <> @hash",
            new { now, hash, yes = true });
        var existing = await tx.SingleOrDefaultAsync<(long Id, DateTimeOffset? RevokedAt)?>(
            "SELECT id, revoked_at FROM api_keys WHERE key_hash = @hash", new { hash });
        if (existing is null)
            await tx.ExecuteAsync("""
                INSERT INTO api_keys (name, role, key_hash, hint, created_at, configured) VALUES ('configured admin key', @Admin, @hash, @hint, @now, @yes)
                """, new { Role.Admin, hash, hint = ApiKey.Hint(key), now, yes = true });
        await tx.CommitAsync(ct);
        return existing?.RevokedAt is null ? Configured.Active : Configured.Revoked;
    }

    public async Task<bool> AnyActiveAdminAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<long>(CountActiveAdmins, new { Role.Admin }) > 0;
    }

    /// <summary>The key behind an unexpired, unrevoked session whose key is still active: its id, role and the session's id.</summary>
    public async Task<(long KeyId, string Role, long SessionId, long? PartnerId)?> FindActiveSessionAsync(byte[] hash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<(long, string, long, long?)?>("""
            SELECT k.id, k.role, s.id, k.partner_id FROM sessions s JOIN api_keys k ON k.id = s.key_id
            WHERE s.token_hash = @hash AND s.revoked_at IS NULL AND s.expires_at > @now AND k.revoked_at IS NULL
            """, new { hash, now });
    }

    const string SessionColumns = "id, key_id, created_at, expires_at";

    public async Task<SessionResponse> CreateSessionAsync(WriteTransaction tx, long keyId, string token, DateTimeOffset now, DateTimeOffset expiresAt)
        => (await tx.SingleOrDefaultAsync<SessionResponse>($"""
            INSERT INTO sessions (key_id, token_hash, created_at, expires_at) VALUES (@keyId, @hash, @now, @expiresAt)
            RETURNING {SessionColumns}
            """, new { keyId, hash = ApiKey.Hash(token), now, expiresAt }))!;

    /// <summary>Ends a live session; <paramref name="keyId"/> limits it to that key's sessions (null: any, for admins).</summary>
    public async Task<bool> RevokeSessionAsync(WriteTransaction tx, long id, long? keyId, DateTimeOffset now)
        => await tx.ExecuteAsync("""
            UPDATE sessions SET revoked_at = @now
            WHERE id = @id AND revoked_at IS NULL AND expires_at > @now AND (@keyId IS NULL OR key_id = @keyId)
            """, new { id, keyId, now }) == 1;

    /// <summary>Live sessions, newest first: one key's, or every key's (null).</summary>
    public async Task<List<SessionResponse>> ListSessionsAsync(long? keyId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SessionResponse>($"""
            SELECT s.id, s.key_id, s.created_at, s.expires_at FROM sessions s JOIN api_keys k ON k.id = s.key_id
            WHERE s.revoked_at IS NULL AND s.expires_at > @now AND k.revoked_at IS NULL AND (@keyId IS NULL OR s.key_id = @keyId)
            ORDER BY s.id DESC LIMIT 500
            """, new { keyId, now })).ToList();
    }

    public async Task<KeyResponse?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<KeyResponse>($"SELECT {Columns} FROM api_keys WHERE id = @id", new { id });
    }
}

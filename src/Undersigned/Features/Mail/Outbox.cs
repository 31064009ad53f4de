using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Mail;

public enum EmailKind { Verify, AlreadySigned, DataSummary }

/// <summary>
/// What an outbox row holds, encrypted under the letter's key: the address, the raw tokens for the links and, in a
/// verification, how the signatory will be shown, so the person confirms exactly what the link publishes.
/// </summary>
public sealed record Email(EmailKind Kind, string To, string? VerifyToken, string? WithdrawToken, string? Summary = null,
    string? Signatory = null, bool? ShowName = null);

public static class Outbox
{
    public const string InsertSql = """
        INSERT INTO outbox (letter_id, signature_id, payload, next_attempt_at, created_at) VALUES ($letter, $signature, $payload, $now, $now)
        """;

    public static Task AddAsync(SqliteConnection connection, SqliteTransaction tx, long letterId, long? signatureId, byte[] letterKey,
        Email email, DateTimeOffset now)
        => connection.ExecuteAsync(InsertSql.Replace('$', '@'), new { letter = letterId, signature = signatureId, payload = Seal(letterKey, email), now }, tx);

    public static byte[] Seal(byte[] letterKey, Email email) => Aead.Seal(letterKey, JsonSerializer.SerializeToUtf8Bytes(email));

    public static Email Open(byte[] letterKey, byte[] payload) => JsonSerializer.Deserialize<Email>(Aead.Open(letterKey, payload))!;
}

/// <summary>Emails to one address per UTC day, so neither the form nor access requests can flood an inbox.</summary>
public static class MailCaps
{
    public const int PerAddressPerDay = 5;

    public const string CountSql = """
        INSERT INTO mail_caps (email_hmac, day, count) VALUES ($hmac, $day, 1) ON CONFLICT DO UPDATE SET count = count + 1 WHERE count < $cap
        """;

    public static long Day(DateTimeOffset now) => now.ToUnixTimeSeconds() / 86_400;

    /// <summary>Counts an email to this address today; false when it has had its share.</summary>
    public static async Task<bool> TryCountAsync(SqliteConnection connection, SqliteTransaction tx, byte[] emailHmac, DateTimeOffset now)
        => await connection.ExecuteAsync(CountSql.Replace('$', '@'), new { hmac = emailHmac, day = Day(now), cap = PerAddressPerDay }, tx) == 1;
}

/// <summary>Wakes the sender when new mail is committed, instead of it polling.</summary>
public sealed class OutboxSignal
{
    readonly Channel<bool> channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => channel.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken ct)
    {
        await channel.Reader.WaitToReadAsync(ct);
        channel.Reader.TryRead(out _);
    }
}

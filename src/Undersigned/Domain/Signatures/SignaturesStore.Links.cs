using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// The signer's links: confirming, withdrawing, stopping sharing, and the time a held email gives back.
public sealed partial class SignaturesStore
{
    public sealed class VerifyTarget
    {
        public long Id { get; init; }
        public long LetterId { get; init; }
        public string Kind { get; init; } = "";
        public string Status { get; init; } = "";
        public bool Held { get; init; }
        public DateTimeOffset? VerifyIssuedAt { get; init; }
        public string? Name { get; init; }
        public string? Role { get; init; }
        public string? Organisation { get; init; }
        public bool ShowName { get; init; }
        public int TextVersion { get; init; }
        public int? ConsentVersion { get; init; }
        public string? Language { get; init; }
        public string? ConsentLanguage { get; init; }
        public byte[]? EmailHmac { get; init; }
        /// <summary>Time given back while the mail relay held its email (<see cref="GiveBackTimeAsync"/>).</summary>
        public long VerifyExtendedMs { get; init; }
        public string Display => Signer.Display(Kind, Name, Role, Organisation);
        /// <summary>Confirmed already (or waiting for staff to check it): the link has done its work.</summary>
        public bool AlreadyConfirmed => Status is SignatureStatus.Confirmed or SignatureStatus.Review;
    }

    /// <summary>
    /// The signature a verification token would confirm: the one it names, if the token is the one worked out from what
    /// that signature would publish now; null otherwise, or when it is neither unconfirmed nor confirmed already (rejected,
    /// withdrawn, erased: one "not valid" for all of those).
    /// </summary>
    public async Task<VerifyTarget?> FindByVerifyTokenAsync(string token, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return null;
        await using var connection = await db.OpenReadAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<VerifyTarget>("""
            SELECT id, letter_id, kind, status, held, verify_issued_at, name, role, organisation, show_name, text_version, consent_version, language, consent_language, email_hmac,
                   verify_extended_ms
            FROM signatures WHERE id = @id
            """, new { id });
        return row is { EmailHmac: { } emailHmac, VerifyIssuedAt: { } issuedAt } && (SignatureMove.Confirm.From.Contains(row.Status) || row.AlreadyConfirmed)
               && ServiceKeys.Matches(token, serviceKeys.VerifyToken(row.Id, row.LetterId, row.Kind, emailHmac, issuedAt,
                   Existing.Details(row.Name, row.Role, row.Organisation, row.ShowName, row.TextVersion, row.ConsentVersion, row.Language, row.ConsentLanguage)))
            ? row : null;
    }

    /// <summary>
    /// Gives a pending signature whose email waited in the queue (the relay refused us, or was out of reach) the time it
    /// waited: its link and the verification grace last that much longer, as the pause switch gives time back to deadlines.
    /// </summary>
    public async Task GiveBackTimeAsync(IReadOnlyList<(long SignatureId, TimeSpan Waited)> delayed, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        await GiveBackTimeAsync(tx, delayed);
        await tx.CommitAsync(ct);
    }

    public async Task GiveBackTimeAsync(WriteTransaction tx, IEnumerable<(long SignatureId, TimeSpan Waited)> delayed)
    {
        foreach (var (signatureId, waited) in delayed)
            await tx.ExecuteAsync("""
                UPDATE signatures SET verify_extended_ms = CASE WHEN verify_extended_ms < @ms THEN @ms ELSE verify_extended_ms END
                WHERE id = @signatureId AND status = @Pending
                """, new { signatureId, ms = (long)waited.TotalMilliseconds, SignatureStatus.Pending });
    }

    /// <summary>
    /// Confirms a signature found by its token: confirmed, or in review when the letter's <paramref name="moderation"/>
    /// or the signature's hold says staff decide (<see cref="Moderation.Reviews"/>); returns which, or null when its link
    /// changed meanwhile (a repeat submission with other details) or it was confirmed already. Called through group commit.
    /// </summary>
    public async Task<string?> ConfirmAsync(WriteTransaction tx, VerifyTarget signature, string moderation, DateTimeOffset now)
    {
        var status = Moderation.Reviews(moderation, signature.Kind, signature.Held) ? SignatureStatus.Review : SignatureStatus.Confirmed;
        if (await MoveAsync(tx, SignatureMove.Confirm, status, "id = @Id AND verify_issued_at = @VerifyIssuedAt",
                new { signature.Id, signature.VerifyIssuedAt, now }, "confirmed_at = @now") != 1)
            return null;
        if (status == SignatureStatus.Confirmed) await StartedToCountAsync(tx, signature.LetterId, signature.Id, now);
        return status;
    }

    /// <summary>
    /// Ends a signer's consent to the partner they came through (the signature stays); false when the token names no
    /// signature that still has an address to check it against.
    /// </summary>
    public async Task<bool> StopSharingAsync(string token, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return false;
        await using var tx = await db.BeginWriteAsync(ct);
        var row = await tx.SingleOrDefaultAsync<(long LetterId, string Kind, byte[]? EmailHmac)?>(
            "SELECT letter_id, kind, email_hmac FROM signatures WHERE id = @id", new { id });
        if (row is not { EmailHmac: { } emailHmac } || !ServiceKeys.Matches(token, serviceKeys.StopSharingToken(id, row.Value.LetterId, row.Value.Kind, emailHmac)))
            return false;
        if (await tx.ExecuteAsync("UPDATE signatures SET partner_consent = @no WHERE id = @id AND partner_consent = @yes", new { id, no = false, yes = true }) == 1)
            await webhooks.SharingStoppedAsync(tx, id, clock.GetUtcNow());
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The letter a withdraw or stop-sharing link is for, and the language its signer read it in, when the link is valid; null otherwise. Read only: the page
    /// behind the link names the letter from it, since the link itself names none.
    /// </summary>
    public async Task<(long LetterId, string? Language)?> LetterOfLinkAsync(string token, bool stopSharing, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return null;
        await using var connection = await db.OpenReadAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(long LetterId, string Kind, byte[]? EmailHmac, string? Language)?>(
            "SELECT letter_id, kind, email_hmac, language FROM signatures WHERE id = @id", new { id });
        return row is { EmailHmac: { } emailHmac } && ServiceKeys.Matches(token, stopSharing
            ? serviceKeys.StopSharingToken(id, row.Value.LetterId, row.Value.Kind, emailHmac)
            : serviceKeys.WithdrawToken(id, row.Value.LetterId, row.Value.Kind, emailHmac))
            ? (row.Value.LetterId, row.Value.Language) : null;
    }

    /// <summary>The signature's "stop sharing" link, for the summary email, where its signer lets a partner contact them.</summary>
    public string StopSharingToken(SignatureRow row, byte[] emailHmac) => serviceKeys.StopSharingToken(row.Id, row.LetterId, row.Kind, emailHmac);

    /// <summary>Withdraws the signature this token belongs to and erases its personal data; false when the token names none.</summary>
    public async Task<bool> WithdrawAsync(string token, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return false;
        await using var tx = await db.BeginWriteAsync(ct);
        var row = await tx.SingleOrDefaultAsync<(long LetterId, string Kind, byte[]? EmailHmac)?>(
            "SELECT letter_id, kind, email_hmac FROM signatures WHERE id = @id", new { id });
        if (row is not { EmailHmac: { } emailHmac } || !ServiceKeys.Matches(token, serviceKeys.WithdrawToken(id, row.Value.LetterId, row.Value.Kind, emailHmac)))
            return false;
        await EraseAsync(tx, id);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Erases a signer's personal data at once and cancels mail not yet sent to them; the row stays as withdrawn. Recorded
    /// (the id only) before it commits, so a backup restored later forgets them again.
    /// </summary>
    public async Task EraseAsync(WriteTransaction tx, long signatureId)
    {
        erasures.Signature(signatureId);
        if (await MoveAsync(tx, SignatureMove.Withdraw, SignatureStatus.Withdrawn, "id = @signatureId", new { signatureId }, """
            name = NULL, role = NULL, organisation = NULL, email_hmac = NULL, email_encrypted = NULL,
            partner_consent = NULL, partner_consent_version = NULL, updates = NULL, updates_version = NULL, language = NULL,
            consent_language = NULL
            """) == 1)
            await webhooks.SignatureWithdrawnAsync(tx, signatureId, clock.GetUtcNow());
        await tx.ExecuteAsync("DELETE FROM unsubscribe_tokens WHERE signature_id = @signatureId", new { signatureId });
        await outbox.CancelForSignatureAsync(tx, signatureId);
        await audit.ForgetSignatureDetailsAsync(tx, signatureId);
    }
}

using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Outbox;

namespace Undersigned.Domain.Signatures;

/// <summary>
/// The only place that reads and writes signatures, and the only place a signature's status changes (through
/// <see cref="MoveAsync"/>, by the moves <see cref="SignatureMove"/> allows). Counts follow in the same transaction
/// (triggers keep <c>signature_counts</c>), and so do the webhook events of a signature starting to count or being withdrawn.
/// </summary>
public sealed partial class SignaturesStore(Db db, ServiceKeys serviceKeys, LetterKeys letterKeys, OutboxStore outbox, AuditStore audit, WebhooksStore webhooks,
    ErasureRecord erasures, TimeProvider clock)
{
    public const int MailsPerSignature = 3;
    public static readonly TimeSpan VerifyTokenLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan AddressHashLifetime = TimeSpan.FromDays(7);

    const string Columns = "id, letter_id, kind, status, name, role, organisation, email_encrypted, show_name, text_version, consent_version, " +
                           "address_hash, held, staff_added_by, signed_at, confirmed_at, partner_id, partner_consent, method, updates, language";

    /// <summary>Applies a move to the signatures <paramref name="where"/> selects that are in a status the move starts from.</summary>
    async Task<int> MoveAsync(WriteTransaction tx, SignatureMove move, string to, string where, object parameters, string? alsoSet = null)
    {
        if (!move.To.Contains(to)) throw new InvalidOperationException($"A {move.Name} cannot make a signature {to}.");
        if (move != SignatureMove.Resend) PublicCountsChange(tx);
        var all = new DynamicParameters(parameters);
        all.Add("to", to);
        all.Add("from", move.From);
        // When it moved: the public timeline counts each change at the hour it happened.
        all.Add("statusChangedAt", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return await tx.ExecuteAsync(
            $"UPDATE signatures SET status = @to, status_changed_at = @statusChangedAt{(alsoSet is null ? "" : ", " + alsoSet)} " +
            $"WHERE ({where}) AND {db.In("status", "from")}", all);
    }

    // ----- signing (called by the signature writer inside its batch transaction)

    public async Task<SignResult> SignAsync(WriteTransaction tx, SignatureDraft draft, DateTimeOffset now)
    {
        // Used once, on whichever instance, before or after a restart: recorded with the signature, not as a write of its own.
        if (draft.Challenge is { } used && await tx.ExecuteAsync(
                "INSERT INTO used_challenges (challenge, expires_at) VALUES (@Challenge, @ExpiresAt) ON CONFLICT (challenge) DO NOTHING", used) == 0)
            return new(SignOutcome.ChallengeUsed, 0);

        var letterKey = await letterKeys.GetAsync(tx, draft.LetterId)
                        ?? throw new System.Security.Cryptography.CryptographicException("The letter's data key is gone.");
        // Counted for the partner whatever becomes of it, so its counts say nothing of who had signed already.
        if (draft.PartnerId is { } partnerId)
            await tx.ExecuteAsync("""
                INSERT INTO partner_submissions (partner_id, letter_id, submitted) VALUES (@partnerId, @LetterId, 1)
                ON CONFLICT (partner_id, letter_id) DO UPDATE SET submitted = partner_submissions.submitted + 1
                """, new { partnerId, draft.LetterId });
        var emailHmac = draft.Email is null ? null : serviceKeys.EmailHmac(draft.Email);
        var existing = emailHmac is null ? null : await tx.SingleOrDefaultAsync<Existing>("""
            SELECT s.id, s.status, s.mails_sent, s.mails_day, s.verify_issued_at, s.name, s.role, s.organisation, s.show_name, s.text_version,
                   s.consent_version, s.language, CASE WHEN s.partner_consent THEN p.name END AS sharing_with
            FROM signatures s LEFT JOIN partners p ON p.id = s.partner_id
            WHERE s.letter_id = @LetterId AND s.kind = @Kind AND s.email_hmac = @emailHmac
            """, new { draft.LetterId, draft.Kind, emailHmac });
        var email = draft.Email is null ? null : Aead.SealText(letterKey, draft.Email.Trim());

        if (draft.StaffAddedBy is not null)
        {
            if (existing is not null) return new(SignOutcome.Duplicate, existing.Id);
            var added = await InsertAsync(tx, draft, emailHmac, email, now, signer: null);
            await webhooks.SignatureConfirmedAsync(tx, added, now);
            return new(SignOutcome.Stored, added);
        }
        if (draft.AddedByPartner)
        {
            // A partner's entry never changes an existing signature, and nobody is mailed about it (the caller tells staff).
            if (existing is not null) return new(SignOutcome.Duplicate, existing.Id);
            // Without an address there is nobody to confirm: it waits in review for staff.
            if (emailHmac is null) return new(SignOutcome.Stored, await InsertAsync(tx, draft, null, null, now, signer: null));
        }

        // The same details again while the link lives: the same link, so whichever email the signer opens works.
        var issuedAt = existing is { VerifyIssuedAt: { } issued } && issued + VerifyTokenLifetime > now && existing.Publishes(draft) ? issued : now;
        var today = OutboxStore.Day(now);
        var (existingId, status, mailsSent, mailsDay) = existing is null ? (0, SignatureStatus.Pending, 0, today)
            : (existing.Id, existing.Status, existing.MailsSent, existing.MailsDay);
        if (mailsDay != today) mailsSent = 0; // the cap counts one day at a time
        var verify = existing is null || SignatureMove.Resend.From.Contains(status);
        var send = (verify || status is SignatureStatus.Confirmed or SignatureStatus.Review) // rejected or withdrawn: nothing to say
                   && mailsSent < MailsPerSignature && await outbox.TryCountMailAsync(tx, emailHmac!, now);
        // A signer who lets a partner contact them can stop that from every email (the first answer stands on a repeat).
        var sharingWith = existing is null ? (draft.PartnerConsent == true ? draft.PartnerName : null) : existing.SharingWith;
        Email Mail(long id) => SignerEmail(id, draft, emailHmac!, issuedAt, verify, sharingWith);

        if (existing is null)
        {
            var id = await InsertAsync(tx, draft, emailHmac, email, now, (send ? 1 : 0, today));
            if (send) await outbox.AddAsync(tx, draft.LetterId, id, letterKey, Mail(id), now);
            return new(SignOutcome.Stored, id);
        }

        if (send)
        {
            if (verify)
                // A verification link publishes exactly what was submitted with it: other details replace the pending ones
                // with a new link (the earlier one stops working), so whoever signed first with an address cannot choose
                // what its owner confirms.
                await MoveAsync(tx, SignatureMove.Resend, SignatureStatus.Pending, "id = @existingId", new
                {
                    existingId, issuedAt, now, mailsSent = mailsSent + 1, today,
                    draft.Name, draft.Role, draft.Organisation, draft.ShowName, draft.TextVersion, draft.ConsentVersion, draft.AddressHash, draft.Held,
                    draft.Language,
                }, """
                   verify_issued_at = @issuedAt, verify_extended_ms = CASE WHEN verify_issued_at = @issuedAt THEN verify_extended_ms ELSE 0 END,
                   mails_sent = @mailsSent, mails_day = @today,
                   name = @Name, role = @Role, organisation = @Organisation, show_name = @ShowName, text_version = @TextVersion,
                   consent_version = @ConsentVersion, address_hash = @AddressHash, held = @Held, signed_at = @now, language = @Language
                   """);
            else
                await tx.ExecuteAsync("UPDATE signatures SET mails_sent = @mailsSent, mails_day = @today WHERE id = @existingId",
                    new { mailsSent = mailsSent + 1, today, existingId });
            await outbox.AddAsync(tx, draft.LetterId, existingId, letterKey, Mail(existingId), now);
        }
        return new(SignOutcome.Duplicate, existingId);
    }

    /// <summary>
    /// The email a submission sends: a verification link publishing exactly what was submitted, or "already signed"; with
    /// the withdraw link, and the stop-sharing link for a signer who lets a partner contact them. The links carry the
    /// signature's id, so they are made once it has one; nothing about them is stored.
    /// </summary>
    Email SignerEmail(long id, SignatureDraft draft, byte[] emailHmac, DateTimeOffset issuedAt, bool verify, string? sharingWith)
    {
        var to = draft.Email!.Trim();
        var withdrawToken = serviceKeys.WithdrawToken(id, draft.LetterId, draft.Kind, emailHmac);
        var stopSharing = sharingWith is null ? null : new StopSharing(sharingWith, serviceKeys.StopSharingToken(id, draft.LetterId, draft.Kind, emailHmac));
        return verify
            ? new Email(EmailKind.Verify, to, serviceKeys.VerifyToken(id, draft.LetterId, draft.Kind, emailHmac, issuedAt, Existing.Published(draft)),
                withdrawToken, Signatory: Signer.Display(draft.Kind, draft.Name, draft.Role, draft.Organisation), ShowName: draft.ShowName,
                StopSharing: stopSharing, Language: draft.Language)
            : new Email(EmailKind.AlreadySigned, to, null, withdrawToken, StopSharing: stopSharing, Language: draft.Language);
    }

    /// <summary>The signature a submission's email already has on the letter, with what confirming it would publish.</summary>
    sealed class Existing
    {
        public long Id { get; init; }
        public string Status { get; init; } = "";
        public long MailsSent { get; init; }
        public long MailsDay { get; init; }
        public DateTimeOffset? VerifyIssuedAt { get; init; }
        public string Name { get; init; } = "";
        public string? Role { get; init; }
        public string? Organisation { get; init; }
        public bool ShowName { get; init; }
        public int TextVersion { get; init; }
        public int? ConsentVersion { get; init; }
        public string? Language { get; init; }
        /// <summary>The partner the signer lets contact them, if any.</summary>
        public string? SharingWith { get; init; }

        public static object?[] Published(SignatureDraft draft)
            => Details(draft.Name, draft.Role, draft.Organisation, draft.ShowName, draft.TextVersion, draft.ConsentVersion, draft.Language);

        public bool Publishes(SignatureDraft draft) => Published(draft).SequenceEqual(Details(Name, Role, Organisation, ShowName, TextVersion, ConsentVersion, Language));

        /// <summary>
        /// What confirming publishes and records, which its link is worked out from: the wording signed (in its language)
        /// included, so other details need a new link. The primary language adds nothing, so older links keep working.
        /// </summary>
        public static object?[] Details(string? name, string? role, string? organisation, bool showName, int textVersion, int? consentVersion, string? language)
            => language is null ? [name, role, organisation, showName, textVersion, consentVersion]
                : [name, role, organisation, showName, textVersion, consentVersion, language];
    }

    /// <summary>
    /// Inserts a signature; <paramref name="signer"/> holds its mail count, or is null when nobody is mailed: staff add it
    /// confirmed, a partner's entry without an address waits in review.
    /// </summary>
    Task<long> InsertAsync(WriteTransaction tx, SignatureDraft draft, byte[]? emailHmac, byte[]? email, DateTimeOffset now,
        (int MailsSent, long Today)? signer)
        => signer is not { } s
            ? tx.ScalarAsync<long>("""
                INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, email_hmac, email_encrypted,
                                        text_version, staff_added_by, signed_at, confirmed_at, partner_id, method)
                VALUES (@LetterId, @Kind, @status, @Name, @Role, @Organisation, @ShowName, @emailHmac, @emailEncrypted,
                        @TextVersion, @staffKey, @now, @confirmedAt, @PartnerId, @Method)
                RETURNING id
                """, new
                {
                    draft.LetterId, draft.Kind, status = draft.AddedByPartner ? SignatureStatus.Review : SignatureStatus.Confirmed,
                    draft.Name, draft.Role, draft.Organisation, draft.ShowName, emailHmac, emailEncrypted = email, draft.TextVersion,
                    staffKey = draft.StaffAddedBy, now, confirmedAt = draft.AddedByPartner ? (DateTimeOffset?)null : now, draft.PartnerId, draft.Method,
                })
            : tx.ScalarAsync<long>("""
                INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, email_hmac, email_encrypted,
                                        text_version, consent_version, verify_issued_at, mails_sent, mails_day, address_hash, held, signed_at,
                                        partner_id, partner_consent, partner_consent_version, method, updates, updates_version, language)
                VALUES (@LetterId, @Kind, @status, @Name, @Role, @Organisation, @ShowName, @emailHmac, @emailEncrypted,
                        @TextVersion, @ConsentVersion, @now, @mailsSent, @today, @AddressHash, @Held, @now,
                        @PartnerId, @PartnerConsent, @partnerConsentVersion, @Method, @updates, @updatesVersion, @Language)
                RETURNING id
                """, new
                {
                    draft.LetterId, draft.Kind, status = SignatureStatus.Pending, draft.Name, draft.Role, draft.Organisation, draft.ShowName,
                    emailHmac, emailEncrypted = email, draft.TextVersion, draft.ConsentVersion, now,
                    mailsSent = s.MailsSent, today = s.Today, draft.AddressHash, draft.Held,
                    draft.PartnerId, draft.PartnerConsent, partnerConsentVersion = draft.PartnerConsent is null ? (int?)null : PartnerConsent.Version, draft.Method,
                    updates = draft.Updates ? true : (bool?)null, updatesVersion = draft.Updates ? UpdatesQuestion.Version : (int?)null, draft.Language,
                });

    // ----- the signer's links

    public sealed class Unconfirmed
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
        public byte[]? EmailHmac { get; init; }
        /// <summary>Time given back while the mail relay held its email (<see cref="GiveBackTimeAsync"/>).</summary>
        public long VerifyExtendedMs { get; init; }
        public string Display => Signer.Display(Kind, Name, Role, Organisation);
    }

    /// <summary>
    /// The signature a verification token would confirm: the one it names, if the token is the one worked out from what
    /// that signature would publish now; null otherwise, or when it is no longer unconfirmed.
    /// </summary>
    public async Task<Unconfirmed?> FindByVerifyTokenAsync(string token, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return null;
        await using var connection = await db.OpenReadAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Unconfirmed>("""
            SELECT id, letter_id, kind, status, held, verify_issued_at, name, role, organisation, show_name, text_version, consent_version, language, email_hmac,
                   verify_extended_ms
            FROM signatures WHERE id = @id
            """, new { id });
        return row is { EmailHmac: { } emailHmac, VerifyIssuedAt: { } issuedAt } && SignatureMove.Confirm.From.Contains(row.Status)
               && ServiceKeys.Matches(token, serviceKeys.VerifyToken(row.Id, row.LetterId, row.Kind, emailHmac, issuedAt,
                   Existing.Details(row.Name, row.Role, row.Organisation, row.ShowName, row.TextVersion, row.ConsentVersion, row.Language)))
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
    /// Confirms a signature found by its token, unless its link changed meanwhile (a repeat submission with other
    /// details) or it was confirmed already: false then. Called through group commit.
    /// </summary>
    public async Task<bool> ConfirmAsync(WriteTransaction tx, Unconfirmed signature, string status, DateTimeOffset now)
    {
        if (await MoveAsync(tx, SignatureMove.Confirm, status, "id = @Id AND verify_issued_at = @VerifyIssuedAt",
                new { signature.Id, signature.VerifyIssuedAt, now }, "confirmed_at = @now") != 1)
            return false;
        if (status == SignatureStatus.Confirmed) await webhooks.SignatureConfirmedAsync(tx, signature.Id, now);
        return true;
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
    /// The letter a withdraw or stop-sharing link is for, when the link is valid; null otherwise. Read only: the page
    /// behind the link names the letter from it, since the link itself names none.
    /// </summary>
    public async Task<long?> LetterOfLinkAsync(string token, bool stopSharing, CancellationToken ct)
    {
        if (!ServiceKeys.TryReadSignatureId(token, out var id)) return null;
        await using var connection = await db.OpenReadAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<(long LetterId, string Kind, byte[]? EmailHmac)?>(
            "SELECT letter_id, kind, email_hmac FROM signatures WHERE id = @id", new { id });
        return row is { EmailHmac: { } emailHmac } && ServiceKeys.Matches(token, stopSharing
            ? serviceKeys.StopSharingToken(id, row.Value.LetterId, row.Value.Kind, emailHmac)
            : serviceKeys.WithdrawToken(id, row.Value.LetterId, row.Value.Kind, emailHmac))
            ? row.Value.LetterId : null;
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
            partner_consent = NULL, partner_consent_version = NULL, updates = NULL, updates_version = NULL, language = NULL
            """) == 1)
            await webhooks.SignatureWithdrawnAsync(tx, signatureId, clock.GetUtcNow());
        await tx.ExecuteAsync("DELETE FROM unsubscribe_tokens WHERE signature_id = @signatureId", new { signatureId });
        await outbox.CancelForSignatureAsync(tx, signatureId);
        await audit.ForgetSignatureDetailsAsync(tx, signatureId);
    }

    // ----- staff

    public async Task<SignatureRow?> FindAsync(long letterId, long signatureId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<SignatureRow>(SelectOne, new { letterId, signatureId });
    }

    public Task<SignatureRow?> FindAsync(WriteTransaction tx, long letterId, long signatureId)
        => tx.SingleOrDefaultAsync<SignatureRow>(SelectOne, new { letterId, signatureId });

    const string SelectOne = $"SELECT {Columns} FROM signatures WHERE id = @signatureId AND letter_id = @letterId";

    /// <summary>Newest first, before the cursor's id; with <paramref name="search"/>, only names or organisations containing it.</summary>
    public async Task<List<SignatureRow>> ListAsync(long letterId, string[] statuses, long? before, int take, CancellationToken ct, string? search = null)
    {
        // Case-insensitive for every script on PostgreSQL; SQLite's lower() folds only ASCII letters.
        var pattern = search is null ? null : "%" + search.ToLowerInvariant().Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_") + "%";
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "statuses")} AND id < @before
              AND (@pattern IS NULL OR lower(name) LIKE @pattern ESCAPE '\' OR lower(organisation) LIKE @pattern ESCAPE '\')
            ORDER BY id DESC LIMIT @take
            """, new { letterId, statuses, before = before ?? long.MaxValue, take, pattern })).ToList();
    }

    /// <summary>Oldest first, after the cursor's id: the export's keyset batches.</summary>
    public async Task<List<SignatureRow>> BatchAfterAsync(long letterId, string[] statuses, long after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "statuses")} AND id > @after ORDER BY id LIMIT @take
            """, new { letterId, statuses, after, take })).ToList();
    }

    /// <summary>Every signature in these statuses, without contact details: the delivery pack's block.</summary>
    public async Task<List<SignatureRow>> ForPackAsync(long letterId, string[] statuses, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>(
            $"SELECT kind, status, name, role, organisation, show_name, text_version, method, language FROM signatures WHERE letter_id = @letterId AND {db.In("status", "statuses")}",
            new { letterId, statuses })).ToList();
    }

    /// <summary>Approves (review → confirmed) or rejects a signature; false when its status does not allow it.</summary>
    public async Task<bool> DecideAsync(WriteTransaction tx, long letterId, long signatureId, bool approve, long keyId, DateTimeOffset now)
    {
        if (await MoveAsync(tx, approve ? SignatureMove.Approve : SignatureMove.Reject, approve ? SignatureStatus.Confirmed : SignatureStatus.Rejected,
                "id = @signatureId AND letter_id = @letterId", new { signatureId, letterId, keyId, now },
                // A rejected entry that staff or a partner gathered must not stop its address signing online: it lets go of the address.
                "decided_at = @now, decided_by = @keyId" + (approve ? "" : $", email_hmac = CASE WHEN method = '{SigningMethod.Online}' THEN email_hmac ELSE NULL END")) != 1)
            return false;
        if (approve) await webhooks.SignatureConfirmedAsync(tx, signatureId, now);
        return true;
    }

    public Task CorrectAsync(WriteTransaction tx, long signatureId, string? name, string? role, string? organisation)
        => PublicCountsChange(tx).ExecuteAsync("UPDATE signatures SET name = @name, role = @role, organisation = @organisation WHERE id = @signatureId",
            new { name, role, organisation, signatureId });

    /// <summary>Signatures a bulk invalidation may reject, signed in [from, to) and, when given, from one address.</summary>
    public async Task<List<(long Id, byte[]? EmailEncrypted)>> RejectableAsync(long letterId, DateTimeOffset from, DateTimeOffset to,
        byte[]? addressHash, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long, byte[]?)>($"""
            SELECT id, email_encrypted FROM signatures
            WHERE letter_id = @letterId AND {db.In("status", "from")} AND signed_at >= @start AND signed_at < @end
              AND (@addressHash IS NULL OR address_hash = @addressHash)
            ORDER BY id
            """, new { letterId, from = SignatureMove.Reject.From, start = from, end = to, addressHash })).ToList();
    }

    /// <summary>Rejects these signatures, in batches that stay well inside SQLite's parameter limit; returns how many moved.</summary>
    public async Task<int> RejectAsync(WriteTransaction tx, long letterId, IReadOnlyList<long> ids, long keyId, DateTimeOffset now)
    {
        var moved = 0;
        foreach (var chunk in ids.Chunk(500))
            moved += await MoveAsync(tx, SignatureMove.Reject, SignatureStatus.Rejected, $"letter_id = @letterId AND {db.In("id", "chunk")}",
                new { letterId, chunk, keyId, now }, "decided_at = @now, decided_by = @keyId");
        return moved;
    }

    // ----- counts and the public list

    /// <summary>Signatures per status for each letter.</summary>
    public async Task<ILookup<long, (string Status, long Count)>> CountsByStatusAsync(IReadOnlyList<long> letterIds, CancellationToken ct = default)
    {
        if (letterIds.Count == 0) return Array.Empty<(long, string, long)>().ToLookup(c => c.Item1, c => (c.Item2, c.Item3));
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, string Status, long Count)>($"""
                SELECT letter_id, status, CAST(sum(count) AS BIGINT) FROM signature_counts WHERE {db.In("letter_id", "letterIds")} GROUP BY letter_id, status
                """, new { letterIds }))
            .ToLookup(c => c.LetterId, c => (c.Status, c.Count));
    }

    /// <summary>
    /// Confirmed signatures per language signed in (a language can stand in for national origin: staff only, never
    /// public). A signature with no language was made in the letter's primary. Reads every confirmed signature of the
    /// letters: callers ask only for letters with translations, or when staff ask.
    /// </summary>
    public async Task<ILookup<long, (string Language, long Count)>> ConfirmedByLanguageAsync(IReadOnlyList<long> letterIds, CancellationToken ct = default)
    {
        if (letterIds.Count == 0) return Array.Empty<(long, string, long)>().ToLookup(c => c.Item1, c => (c.Item2, c.Item3));
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long LetterId, string Language, long Count)>($"""
                SELECT s.letter_id, coalesce(s.language, l.language), count(*) FROM signatures s JOIN letters l ON l.id = s.letter_id
                WHERE {db.In("s.letter_id", "letterIds")} AND s.status = '{SignatureStatus.Confirmed}'
                GROUP BY s.letter_id, coalesce(s.language, l.language)
                """, new { letterIds }))
            .ToLookup(c => c.LetterId, c => (c.Language, c.Count));
    }

    /// <summary>
    /// Public counts read in the last second, per letter: a spike of reads costs one query a second, not one a read.
    /// Forgotten when this instance commits a change to them; another instance's change shows within the second.
    /// </summary>
    readonly ConcurrentDictionary<long, (DateTimeOffset ReadAt, PublicCounts Counts, long Version)> publicCounts = new();
    static readonly TimeSpan PublicCountsLifetime = TimeSpan.FromSeconds(1);

    WriteTransaction PublicCountsChange(WriteTransaction tx)
    {
        tx.AfterCommit(publicCounts.Clear);
        return tx;
    }

    /// <summary>
    /// A letter's public counts, and the version of its public list: a number that every confirmation, withdrawal,
    /// erasure, decision and correction of a confirmed signature moves (kept by the same triggers as the counts).
    /// </summary>
    /// <param name="fresh">Read the database whatever was kept: for the signatory list, whose 304s must never extend a cache's copy of a name that went.</param>
    public async Task<(PublicCounts Counts, long Version)> PublicCountsAsync(long letterId, CancellationToken ct, bool fresh = false)
    {
        var now = clock.GetUtcNow();
        if (!fresh && publicCounts.TryGetValue(letterId, out var kept) && now - kept.ReadAt < PublicCountsLifetime) return (kept.Counts, kept.Version);
        await using var connection = await db.OpenReadAsync(ct);
        var rows = (await connection.QueryAsync<(string Kind, bool ShowName, long Count, long Changes)>("""
            SELECT kind, show_name, CAST(sum(count) AS BIGINT), CAST(sum(changes) AS BIGINT) FROM signature_counts
            WHERE letter_id = @letterId AND status = @Confirmed GROUP BY kind, show_name
            """, new { letterId, SignatureStatus.Confirmed })).ToList();
        var counts = new PublicCounts
        {
            Organisations = rows.Where(r => r.Kind == SignatureKind.Organisation).Sum(r => r.Count),
            Individuals = rows.Where(r => r.Kind == SignatureKind.Individual).Sum(r => r.Count),
            NotNamed = rows.Where(r => !r.ShowName).Sum(r => r.Count),
        };
        publicCounts[letterId] = (now, counts, rows.Sum(r => r.Changes));
        return (counts, rows.Sum(r => r.Changes));
    }

    /// <summary>
    /// What a partner may see of a letter's signers: only those it brought, confirmed, who agreed to hear from it, oldest
    /// first after the cursor's id. Every condition is here, not in the caller, so none can be left out.
    /// </summary>
    public async Task<List<SignatureRow>> ConsentingToPartnerAsync(long letterId, long partnerId, long after, int take, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>($"""
            SELECT {Columns} FROM signatures
            WHERE partner_id = @partnerId AND letter_id = @letterId AND status = @Confirmed AND partner_consent = @yes AND id > @after
            ORDER BY id LIMIT @take
            """, new { letterId, partnerId, SignatureStatus.Confirmed, yes = true, after, take })).ToList();
    }

    // ----- updates

    /// <summary>
    /// Who an update goes to: confirmed signers of the letter who confirmed by email, asked for updates and have not
    /// unsubscribed, and whose address no mail server has refused for good.
    /// </summary>
    public async Task<List<(long Id, byte[] EmailEncrypted, string? Language)>> UpdateRecipientsAsync(WriteTransaction tx, long letterId)
        => (await tx.QueryAsync<(long, byte[], string?)>($"SELECT s.id, s.email_encrypted, s.language {UpdateRecipients} ORDER BY s.id",
            new { letterId, SignatureStatus.Confirmed, yes = true })).ToList();

    /// <summary>How many an update would go to now: read only, for the preview (no write lock taken).</summary>
    public async Task<int> CountUpdateRecipientsAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return await connection.ExecuteScalarAsync<int>($"SELECT count(*) {UpdateRecipients}", new { letterId, SignatureStatus.Confirmed, yes = true });
    }

    const string UpdateRecipients = """
        FROM signatures s
        WHERE s.letter_id = @letterId AND s.status = @Confirmed AND s.updates = @yes AND s.email_encrypted IS NOT NULL AND s.staff_added_by IS NULL
          AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.signature_id = s.id AND o.failed_at IS NOT NULL)
        """;

    /// <summary>A new one-click unsubscribe link for a signer; only its hash is kept.</summary>
    public async Task<string> NewUnsubscribeTokenAsync(WriteTransaction tx, long signatureId, DateTimeOffset now)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await tx.ExecuteAsync("INSERT INTO unsubscribe_tokens (token_hash, signature_id, created_at) VALUES (@hash, @signatureId, @now)",
            new { hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)), signatureId, now });
        return token;
    }

    /// <summary>Stops updates to the signer this link was sent to (the signature stays); false for a link nobody was sent.</summary>
    public async Task<bool> UnsubscribeAsync(string token, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        var signatureId = await tx.ScalarAsync<long?>("SELECT signature_id FROM unsubscribe_tokens WHERE token_hash = @hash",
            new { hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token)) });
        if (signatureId is null) return false;
        await tx.ExecuteAsync("UPDATE signatures SET updates = @no WHERE id = @signatureId AND updates IS NOT NULL", new { signatureId, no = false });
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// The public record of changes: signatures that started and stopped counting in each UTC hour, at the hour each
    /// happened (kept by triggers). A withdrawal is never taken from the hour its signature once started to count.
    /// </summary>
    public async Task<List<PublicChange>> PublicChangesByHourAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long Hour, long Added, long Removed)>("""
            SELECT hour, CAST(sum(added) AS BIGINT), CAST(sum(removed) AS BIGINT) FROM public_changes WHERE letter_id = @letterId
            GROUP BY hour ORDER BY hour
            """, new { letterId })).Select(r => new PublicChange(DateTimeOffset.FromUnixTimeMilliseconds(r.Hour), r.Added, r.Removed)).ToList();
    }

    /// <summary>Confirmed signatures by the UTC hour they started to count (kept by triggers; no scan of signatures).</summary>
    public async Task<List<TimelinePoint>> ConfirmedByHourAsync(long letterId, CancellationToken ct)
    {
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<(long Hour, long Confirmed)>("""
            SELECT hour, CAST(sum(confirmed) AS BIGINT) FROM signature_hours WHERE letter_id = @letterId
            GROUP BY hour HAVING sum(confirmed) <> 0 ORDER BY hour
            """, new { letterId })).Select(r => new TimelinePoint(DateTimeOffset.FromUnixTimeMilliseconds(r.Hour), r.Confirmed)).ToList();
    }

    /// <summary>
    /// Confirmed signatories who chose to be shown: organisations, then individuals, each in order of signing. The cursor
    /// packs rank (organisations 0, individuals 1) and id into one key; each kind reads its own index range.
    /// </summary>
    public async Task<List<SignatureRow>> PublicPageAsync(long letterId, long cursorKey, int take, CancellationToken ct)
    {
        var (rank, afterId) = (cursorKey / PublicRankShift, cursorKey % PublicRankShift);
        await using var connection = await db.OpenReadAsync(ct);
        return (await connection.QueryAsync<SignatureRow>("""
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @letterId AND status = @Confirmed AND kind = @Organisation AND show_name = @shown AND @rank = 0 AND id > @afterId
                ORDER BY id LIMIT @take) AS organisations
            UNION ALL
            SELECT * FROM (
                SELECT id, kind, name, role, organisation FROM signatures
                WHERE letter_id = @letterId AND status = @Confirmed AND kind = @Individual AND show_name = @shown
                  AND id > (CASE WHEN @rank = 1 THEN @afterId ELSE 0 END)
                ORDER BY id LIMIT @take) AS individuals
            ORDER BY kind DESC, id
            """, new
        {
            letterId, rank, afterId, take, SignatureStatus.Confirmed, SignatureKind.Organisation, SignatureKind.Individual, shown = true,
        })).ToList();
    }

    public const long PublicRankShift = 1L << 48;

    public static long PublicCursorKey(SignatureRow row) => (row.Kind == SignatureKind.Organisation ? 0 : PublicRankShift) + row.Id;

    // ----- access requests

    /// <summary>Every signature made with this address, for an access request.</summary>
    public async Task<List<SignatureRow>> ForEmailAsync(WriteTransaction tx, byte[] emailHmac)
        => (await tx.QueryAsync<SignatureRow>($"SELECT {Columns} FROM signatures WHERE email_hmac = @emailHmac ORDER BY letter_id, id",
            new { emailHmac })).ToList();

    /// <summary>The signature's withdraw link, for the summary email: the one its earlier emails carry.</summary>
    public string WithdrawToken(SignatureRow row, byte[] emailHmac) => serviceKeys.WithdrawToken(row.Id, row.LetterId, row.Kind, emailHmac);

    // ----- retention

    public async Task ForgetExpiredChallengesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync("DELETE FROM used_challenges WHERE expires_at < @now", new { now });
    }

    /// <summary>Pending signatures that can no longer be confirmed become expired; returns how many.</summary>
    public async Task<int> ExpireUnconfirmedAsync(DateTimeOffset now, TimeSpan grace, CancellationToken ct)
    {
        await using var tx = await db.BeginWriteAsync(ct);
        // A read of the letter's deadline inside the statement: the expiry moves with every extension.
        var expired = await MoveAsync(tx, SignatureMove.Expire, SignatureStatus.Expired, """
            (verify_issued_at + @lifetime + verify_extended_ms < @now
             OR (SELECT closes_at FROM letters WHERE letters.id = signatures.letter_id) + @grace + verify_extended_ms < @now)
            -- Its email has not left yet (the relay holds the queue): the time it waits is given back once it leaves.
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.signature_id = signatures.id AND o.failed_at IS NULL)
            """, new { lifetime = (long)VerifyTokenLifetime.TotalMilliseconds, grace = (long)grace.TotalMilliseconds, now },
            "mails_sent = 0"); // a later submission starts afresh
        await tx.ExecuteAsync("UPDATE signatures SET address_hash = NULL WHERE address_hash IS NOT NULL AND signed_at < @cutoff",
            new { cutoff = now - AddressHashLifetime });
        await tx.CommitAsync(ct);
        return expired;
    }

    /// <summary>Of these ids, the signatures that still hold personal data (not withdrawn): a restored backup's.</summary>
    public async Task<List<long>> NotErasedAsync(IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var found = new List<long>();
        await using var connection = await db.OpenReadAsync(ct);
        foreach (var chunk in ids.Chunk(500))
            found.AddRange(await connection.QueryAsync<long>($"SELECT id FROM signatures WHERE {db.In("id", "chunk")} AND status <> @Withdrawn",
                new { chunk, SignatureStatus.Withdrawn }));
        return found;
    }

    /// <summary>
    /// The purge: everything but confirmed signatures is deleted, and contact details (emails, their HMACs, tokens, address
    /// hashes, organisations' contact people) are erased from what stays. Returns how many confirmed signatures stay.
    /// </summary>
    public async Task<int> PurgeAsync(WriteTransaction tx, long letterId)
    {
        PublicCountsChange(tx);
        await outbox.DeleteForLetterAsync(tx, letterId);
        await tx.ExecuteAsync("DELETE FROM unsubscribe_tokens WHERE signature_id IN (SELECT id FROM signatures WHERE letter_id = @letterId)", new { letterId });
        await tx.ExecuteAsync("DELETE FROM signatures WHERE letter_id = @letterId AND status <> @Confirmed", new { letterId, SignatureStatus.Confirmed });
        var kept = await tx.ExecuteAsync("""
            UPDATE signatures SET email_hmac = NULL, email_encrypted = NULL, verify_issued_at = NULL, address_hash = NULL,
                partner_consent = NULL, partner_consent_version = NULL, updates = NULL, updates_version = NULL, language = NULL,
                name = CASE kind WHEN @Organisation THEN NULL ELSE name END,
                role = CASE kind WHEN @Organisation THEN NULL ELSE role END
            WHERE letter_id = @letterId
            """, new { letterId, SignatureKind.Organisation });
        await audit.ForgetLetterSignatureDetailsAsync(tx, letterId);
        return kept;
    }
}

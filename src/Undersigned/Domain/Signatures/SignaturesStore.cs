using System.Collections.Concurrent;
using Dapper;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

/// <summary>
/// The only place that reads and writes signatures, and the only place a signature's status changes (through
/// <see cref="MoveAsync"/>, by the moves <see cref="SignatureMove"/> allows, or an insert). What follows a change is
/// done here, in the same transaction, so no caller can forget it:
/// <list type="bullet">
/// <item>counts, the hourly rollup and the public timeline: triggers on <c>signatures</c>, for every insert and move;</item>
/// <item>the public list's version (caches revalidate): <see cref="PublicCountsChange"/>, from <see cref="MoveAsync"/> and corrections;</item>
/// <item><c>signature.confirmed</c> webhook events and the letter's milestones: <see cref="StartedToCountAsync"/>;</item>
/// <item><c>signature.withdrawn</c> events, cancelled mail and forgotten audit details: <see cref="EraseAsync"/>;</item>
/// <item>the signer's emails and the day's mail caps: <see cref="SignAsync"/> and <see cref="SignSetAsync"/>;</item>
/// <item>partners' submitted counts: the same two;</item>
/// <item>the erasure record (a restored backup forgets again): <see cref="EraseAsync"/>.</item>
/// </list>
/// Endpoints own the HTTP answer and the staff action's audit entry.
/// </summary>
public sealed partial class SignaturesStore(Db db, ServiceKeys serviceKeys, LetterKeys letterKeys, OutboxStore outbox, AuditStore audit, WebhooksStore webhooks,
    MilestoneNotices milestones, ErasureRecord erasures, TimeProvider clock)
{
    public const int MailsPerSignature = 3;
    public static readonly TimeSpan VerifyTokenLifetime = TimeSpan.FromDays(7);
    public static readonly TimeSpan AddressHashLifetime = TimeSpan.FromDays(7);

    const string Columns = "id, letter_id, kind, status, name, role, organisation, email_encrypted, show_name, text_version, consent_version, " +
                           "address_hash, held, staff_added_by, signed_at, confirmed_at, partner_id, partner_consent, method, updates, language, consent_language";

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

    /// <summary>
    /// What follows a signature starting to count (confirmed, approved, added by staff): its <c>signature.confirmed</c>
    /// webhook event now, and the letter's milestones once for the whole transaction, before it commits.
    /// </summary>
    async Task StartedToCountAsync(WriteTransaction tx, long letterId, long signatureId, DateTimeOffset now)
    {
        await webhooks.SignatureConfirmedAsync(tx, signatureId, now);
        tx.BeforeCommit($"milestones of letter {letterId}", () => milestones.CheckAsync(tx, letterId, now));
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
                   s.consent_version, s.language, s.consent_language, CASE WHEN s.partner_consent THEN p.name END AS sharing_with
            FROM signatures s LEFT JOIN partners p ON p.id = s.partner_id
            WHERE s.letter_id = @LetterId AND s.kind = @Kind AND s.email_hmac = @emailHmac
            """, new { draft.LetterId, draft.Kind, emailHmac });
        var email = draft.Email is null ? null : Aead.SealText(letterKey, draft.Email.Trim());

        if (draft.StaffAddedBy is not null)
        {
            if (existing is not null) return new(SignOutcome.Duplicate, existing.Id);
            var added = await InsertAsync(tx, draft, emailHmac, email, now, signer: null);
            await StartedToCountAsync(tx, draft.LetterId, added, now);
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
                    draft.Language, draft.ConsentLanguage,
                }, """
                   verify_issued_at = @issuedAt, verify_extended_ms = CASE WHEN verify_issued_at = @issuedAt THEN verify_extended_ms ELSE 0 END,
                   mails_sent = @mailsSent, mails_day = @today,
                   name = @Name, role = @Role, organisation = @Organisation, show_name = @ShowName, text_version = @TextVersion,
                   consent_version = @ConsentVersion, address_hash = @AddressHash, held = @Held, signed_at = @now, language = @Language,
                   consent_language = @ConsentLanguage
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
        public string? ConsentLanguage { get; init; }
        /// <summary>The partner the signer lets contact them, if any.</summary>
        public string? SharingWith { get; init; }

        public static object?[] Published(SignatureDraft draft)
            => Details(draft.Name, draft.Role, draft.Organisation, draft.ShowName, draft.TextVersion, draft.ConsentVersion, draft.Language, draft.ConsentLanguage);

        public bool Publishes(SignatureDraft draft)
            => Published(draft).SequenceEqual(Details(Name, Role, Organisation, ShowName, TextVersion, ConsentVersion, Language, ConsentLanguage));

        /// <summary>
        /// What confirming publishes and records, which its link is worked out from: the wording signed (in its language)
        /// included, so other details need a new link. The primary language and wording add nothing, so older links keep working.
        /// </summary>
        public static object?[] Details(string? name, string? role, string? organisation, bool showName, int textVersion, int? consentVersion,
            string? language, string? consentLanguage)
            => (language, consentLanguage) switch
            {
                (null, null) => [name, role, organisation, showName, textVersion, consentVersion],
                (_, null) => [name, role, organisation, showName, textVersion, consentVersion, language],
                _ => [name, role, organisation, showName, textVersion, consentVersion, language, consentLanguage],
            };
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
                                        partner_id, partner_consent, partner_consent_version, method, updates, updates_version, language, consent_language)
                VALUES (@LetterId, @Kind, @status, @Name, @Role, @Organisation, @ShowName, @emailHmac, @emailEncrypted,
                        @TextVersion, @ConsentVersion, @now, @mailsSent, @today, @AddressHash, @Held, @now,
                        @PartnerId, @PartnerConsent, @partnerConsentVersion, @Method, @updates, @updatesVersion, @Language, @ConsentLanguage)
                RETURNING id
                """, new
                {
                    draft.LetterId, draft.Kind, status = SignatureStatus.Pending, draft.Name, draft.Role, draft.Organisation, draft.ShowName,
                    emailHmac, emailEncrypted = email, draft.TextVersion, draft.ConsentVersion, now,
                    mailsSent = s.MailsSent, today = s.Today, draft.AddressHash, draft.Held,
                    draft.PartnerId, draft.PartnerConsent, partnerConsentVersion = draft.PartnerConsent is null ? (int?)null : PartnerConsent.Version, draft.Method,
                    updates = draft.Updates ? true : (bool?)null, updatesVersion = draft.Updates ? UpdatesQuestion.Version : (int?)null, draft.Language,
                    draft.ConsentLanguage,
                });
}

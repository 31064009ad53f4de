using Dapper;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Signatures;

// The signature writer's set path: a batch's new public signatures in a fixed number of statements.
public sealed partial class SignaturesStore
{
    /// <summary>
    /// Whether a draft may go in with others as a set: a public submission with an address. Staff adds and partner
    /// entries keep their own rules and go one at a time through <see cref="SignAsync"/>.
    /// </summary>
    public static bool Settable(SignatureDraft draft) => draft.Email is not null && draft.StaffAddedBy is null && !draft.AddedByPartner;

    /// <summary>
    /// Writes as a set the <see cref="Settable"/> drafts (in address order, no address twice) whose address is new to the
    /// letter, with what <see cref="SignAsync"/> would do for each: the addresses already there, the used challenges, the
    /// signatures, the day's mail counts, the outbox rows and the partners' counts each take one statement for all the
    /// drafts (<see cref="SqlRows"/>), not a savepoint and six statements per draft. Returns each draft's result, or null
    /// for one that must go through <see cref="SignAsync"/>: its address is on the letter already, or another instance
    /// wrote it since the query looked.
    /// </summary>
    public async Task<SignResult?[]> SignSetAsync(WriteTransaction tx, IReadOnlyList<SignatureDraft> drafts, DateTimeOffset now)
    {
        var results = new SignResult?[drafts.Count];
        var hmacs = drafts.Select(d => serviceKeys.EmailHmac(d.Email!)).ToArray();
        var onLetter = (await tx.EachAsync("SELECT 1 FROM signatures WHERE letter_id = @p0 AND kind = @p1 AND email_hmac = @p2",
                [.. drafts.Select((d, i) => new object?[] { d.LetterId, d.Kind, hmacs[i] })], _ => true))
            .Select(r => r.Row).ToHashSet();
        var fresh = Enumerable.Range(0, drafts.Count).Where(i => !onLetter.Contains(i)).ToList();

        // Each challenge is used once: row by row, the first draft in order that presents it has it.
        var challenged = fresh.Where(i => drafts[i].Challenge is not null).ToList();
        var claimed = (await tx.EachAsync(
                "INSERT INTO used_challenges (challenge, expires_at) VALUES (@p0, @p1) ON CONFLICT (challenge) DO NOTHING RETURNING 1",
                [.. challenged.Select(i => new object?[] { drafts[i].Challenge!.Challenge, drafts[i].Challenge!.ExpiresAt })], _ => true))
            .Select(r => challenged[r.Row]).ToHashSet();
        foreach (var i in challenged)
            if (!claimed.Contains(i)) results[i] = new(SignOutcome.ChallengeUsed, 0);
        var inserting = fresh.Where(i => results[i] is null).ToList();
        if (inserting.Count == 0) return results;

        var letterKeysById = new Dictionary<long, byte[]>();
        foreach (var letterId in inserting.Select(i => drafts[i].LetterId).Distinct())
            letterKeysById[letterId] = await letterKeys.GetAsync(tx, letterId)
                                       ?? throw new System.Security.Cryptography.CryptographicException("The letter's data key is gone.");
        var today = OutboxStore.Day(now);
        // Inserted as mailed (mails_sent 1); those the day's cap stops are set back to 0 below.
        var ids = (await tx.EachAsync("""
                INSERT INTO signatures (letter_id, kind, status, name, role, organisation, show_name, email_hmac, email_encrypted,
                                        text_version, consent_version, verify_issued_at, mails_sent, mails_day, address_hash, held, signed_at,
                                        partner_id, partner_consent, partner_consent_version, method, updates, updates_version, language,
                                        consent_language)
                VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, @p15, @p16, @p17, @p18, @p19,
                        @p20, @p21, @p22, @p23, @p24)
                ON CONFLICT DO NOTHING RETURNING id
                """, [.. inserting.Select(i =>
            {
                var d = drafts[i];
                return new object?[]
                {
                    d.LetterId, d.Kind, SignatureStatus.Pending, d.Name, d.Role, d.Organisation, d.ShowName, hmacs[i],
                    Aead.SealText(letterKeysById[d.LetterId], d.Email!.Trim()), d.TextVersion, d.ConsentVersion, now, 1, today, d.AddressHash, d.Held, now,
                    d.PartnerId, d.PartnerConsent, d.PartnerConsent is null ? null : PartnerConsent.Version, d.Method,
                    d.Updates ? true : null, d.Updates ? UpdatesQuestion.Version : null, d.Language, d.ConsentLanguage,
                };
            })], r => r.GetInt64(0)))
            .ToDictionary(r => inserting[r.Row], r => r.Value);
        var inserted = inserting.Where(ids.ContainsKey).ToList();
        // Written by another instance since the query looked: those go through SignAsync, their challenges unused again.
        var lost = inserting.Where(i => !ids.ContainsKey(i) && drafts[i].Challenge is not null).Select(i => drafts[i].Challenge!.Challenge).ToArray();
        if (lost.Length > 0) await tx.ExecuteAsync($"DELETE FROM used_challenges WHERE {db.In("challenge", "lost")}", new { lost });
        if (inserted.Count == 0) return results;

        var mailed = await outbox.TryCountMailsAsync(tx, [.. inserted.Select(i => hmacs[i])], now);
        var capped = inserted.Where((_, k) => !mailed[k]).Select(i => ids[i]).ToArray();
        if (capped.Length > 0) await tx.ExecuteAsync($"UPDATE signatures SET mails_sent = 0 WHERE {db.In("id", "capped")}", new { capped });
        await outbox.AddManyAsync(tx, [.. inserted.Where((_, k) => mailed[k]).Select(i =>
        {
            var d = drafts[i];
            return (d.LetterId, (long?)ids[i], letterKeysById[d.LetterId],
                SignerEmail(ids[i], d, hmacs[i], now, verify: true, d.PartnerConsent == true ? d.PartnerName : null));
        })], now);

        // Counted for the partner whatever becomes of it, as SignAsync does.
        await tx.EachAsync("""
            INSERT INTO partner_submissions (partner_id, letter_id, submitted) VALUES (@p0, @p1, @p2)
            ON CONFLICT (partner_id, letter_id) DO UPDATE SET submitted = partner_submissions.submitted + excluded.submitted
            """, [.. inserted.Where(i => drafts[i].PartnerId is not null).GroupBy(i => (Partner: drafts[i].PartnerId!.Value, drafts[i].LetterId))
                .OrderBy(g => g.Key).Select(g => new object?[] { g.Key.Partner, g.Key.LetterId, g.Count() })]);
        foreach (var i in inserted) results[i] = new(SignOutcome.Stored, ids[i]);
        return results;
    }
}

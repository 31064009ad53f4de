using Undersigned.Domain.Outbox;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Domain.Letters;

/// <summary>
/// Sends an update to the signers who asked for them, in the caller's transaction: recorded once a day per letter (the
/// letter's day), one email each through the outbox, each with its own one-click unsubscribe link.
/// </summary>
public sealed class LetterUpdates(LettersStore letters, SignaturesStore signatures, LetterKeys letterKeys, OutboxStore outbox)
{
    /// <summary>
    /// The update's id and how many it went to; null when the letter had one today already. Each signer gets it in the
    /// language they signed in where <paramref name="translations"/> has it (or its base language), else as written (in
    /// the letter's own language, whose words the email then uses).
    /// </summary>
    public async Task<(long Id, int Recipients)?> SendAsync(WriteTransaction tx, LetterRow letter, string subject, string body,
        IReadOnlyDictionary<string, UpdateText> translations, long keyId, DateTimeOffset now)
    {
        if (await letters.RecordUpdateAsync(tx, letter, subject, body, keyId, now) is not { } updateId) return null;
        var recipients = await signatures.UpdateRecipientsAsync(tx, letter.Id);
        var key = (await letterKeys.GetAsync(tx, letter.Id))!;
        foreach (var (signatureId, emailEncrypted, language) in recipients)
        {
            var text = language is null ? null
                : translations.GetValueOrDefault(language) ?? translations.GetValueOrDefault(language.Split('-')[0]);
            var token = await signatures.NewUnsubscribeTokenAsync(tx, signatureId, now);
            await outbox.AddAsync(tx, letter.Id, signatureId, key, new Email(EmailKind.Update, Aead.OpenText(key, emailEncrypted), null, null,
                Summary: text?.Body ?? body, Subject: text?.Subject ?? subject, UnsubscribeToken: token, Language: text is null ? letter.Language : language), now);
        }
        await letters.SetUpdateRecipientsAsync(tx, updateId, recipients.Count);
        return (updateId, recipients.Count);
    }

    /// <summary>Why nobody can be sent an update now, or null when they can.</summary>
    public static string? Refusal(LetterRow letter, DateTimeOffset now)
        => LetterStatus.Of(letter, now) is LetterStatus.Draft or LetterStatus.Scheduled ? "Nobody has signed yet: updates follow signing."
            : letter.PurgedAt is not null ? "The letter's contact details were purged: nobody can be written to."
            : null;

    public const string OneADay = "This letter had an update today already (one a day, in the letter's time zone).";
}

/// <summary>An update's subject and Markdown body in one language.</summary>
public sealed record UpdateText(string Subject, string Body);

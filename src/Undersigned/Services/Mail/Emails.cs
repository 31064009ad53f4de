using System.Net;
using MimeKit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Mail;

/// <summary>The emails signers get. Each carries the withdraw link, so a signer can always take their name back.</summary>
public static class Emails
{
    public sealed record LetterInfo(string Slug, string Title);

    /// <summary>
    /// Composes an email in the words of <see cref="Email.Language"/> where the service has them (else English); the
    /// letter's title as the signer read it. Staff's milestone emails are in English.
    /// </summary>
    public static MimeMessage Compose(Email email, LetterInfo letter, string publicBaseUrl, string from)
    {
        var w = Words.Of(email.Language) ?? Words.All[Words.Default];
        var title = letter.Title;
        var baseUrl = publicBaseUrl.TrimEnd('/');
        // A signer's own links name no letter in a query: a proxy's or CDN's log would read "this address opened the
        // confirmation page of letter X". The token, in the fragment, never reaches a server; the page learns the rest from it.
        var withdrawLink = email.WithdrawToken is null ? null : $"{baseUrl}/withdraw#{email.WithdrawToken}";
        var stopSharingLink = email.StopSharing is null ? null : $"{baseUrl}/stop-sharing#{email.StopSharing.Token}";
        var stopSharingText = email.StopSharing is null ? null : w.Format("email.stopSharing", ("partner", Text.Isolate(email.StopSharing.Partner)));
        var unsubscribeLink = email.UnsubscribeToken is null ? null : $"{baseUrl}/unsubscribe?t={email.UnsubscribeToken}";
        // Every signer's email says where to ask what is held (the page takes no token, and names no language in its link).
        var rightsLink = email.Kind == EmailKind.Milestone ? null : $"{baseUrl}/privacy";
        var letterLink = $"{baseUrl}/letters/{Uri.EscapeDataString(letter.Slug)}" + (email.Language is null ? "" : $"?lang={Uri.EscapeDataString(email.Language)}");

        var (subject, paragraphs, action) = email.Kind switch
        {
            EmailKind.Verify => (
                w.Format("email.verify.subject", ("title", title)),
                new[]
                {
                    w.Format("email.verify.signed", ("title", title)),
                    email.ShowName == false ? w["email.verify.hidden"] : w.Format("email.verify.listed", ("signatory", Text.Isolate(email.Signatory!))),
                    w["email.verify.notYou"],
                    w["email.verify.open"],
                },
                ((string Text, string Url)?)(w["email.verify.action"], $"{baseUrl}/verify#{email.VerifyToken}")),
            EmailKind.Milestone => (
                $"Milestone passed: {title}",
                new[]
                {
                    $"The open letter “{title}” has passed {email.Summary} confirmed signatures.",
                    "You get this email because your address is the letter's notify address. Each milestone is announced once.",
                },
                ((string Text, string Url)?)("See the letter", letterLink)),
            EmailKind.Update => (
                email.Subject!,
                LetterHtml.PlainText(email.Summary!).ReplaceLineEndings("\n")
                    .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Append(w.Format("email.update.footer", ("title", title), ("link", unsubscribeLink!)))
                    .ToArray(),
                ((string Text, string Url)?)(w["email.update.action"], letterLink)),
            EmailKind.DataSummary => (
                w.Format("email.summary.subject", ("title", title)),
                new[] { w.Format("email.summary.intro", ("title", title)) }.Concat(email.Summary!.Split('\n')).ToArray(),
                null),
            _ => (
                w.Format("email.already.subject", ("title", title)),
                new[] { w.Format("email.already.asked", ("title", title)), w["email.already.nothing"] },
                null),
        };
        // Staff asked for milestone emails and signers for updates; other signers' emails say what to do if they did not.
        var closing = email.Kind is EmailKind.Milestone or EmailKind.Update ? "" : w["email.ignore"];

        var text = string.Join("\n\n", paragraphs) + "\n\n" + (action is { } a ? $"{a.Url}\n\n" : "") + closing +
                   (withdrawLink is null ? "" : $"\n\n{w.Format("email.withdraw", ("link", withdrawLink))}\n") +
                   (stopSharingLink is null ? "" : $"\n{stopSharingText}: {stopSharingLink}\n") +
                   (rightsLink is null ? "" : $"\n{w.Format("email.rights", ("link", rightsLink))}\n");
        var html = $"<!doctype html><html lang=\"{w.Tag}\"><body style=\"font-family:sans-serif;line-height:1.5\">" +
                   string.Concat(paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>")) +
                   (action is { } b ? $"<p><a href=\"{WebUtility.HtmlEncode(b.Url)}\">{WebUtility.HtmlEncode(b.Text)}</a></p>" : "") +
                   (closing.Length > 0 ? $"<p>{WebUtility.HtmlEncode(closing)}</p>" : "") +
                   (withdrawLink is null ? "" : $"<p><small><a href=\"{WebUtility.HtmlEncode(withdrawLink)}\">{WebUtility.HtmlEncode(w["email.withdrawLink"])}</a></small></p>") +
                   (stopSharingLink is null ? "" : $"<p><small><a href=\"{WebUtility.HtmlEncode(stopSharingLink)}\">{WebUtility.HtmlEncode(stopSharingText)}</a></small></p>") +
                   (rightsLink is null ? "" : $"<p><small><a href=\"{WebUtility.HtmlEncode(rightsLink)}\">{WebUtility.HtmlEncode(w["email.rightsLink"])}</a></small></p>") +
                   "</body></html>";

        var message = new MimeMessage { Subject = subject };
        if (unsubscribeLink is not null)
        {
            // RFC 8058: mail clients offer one-click unsubscribe, posting "List-Unsubscribe=One-Click" to this address.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribeLink}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.From.Add(MailboxAddress.Parse(from));
        // MimeKit would make the Message-Id in the machine's bare host name, which strict relays and filters distrust.
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailSettings.Domain(from));
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }
}

using System.Net;
using MimeKit;

namespace Undersigned.Services.Mail;

/// <summary>The emails signers get. Each carries the withdraw link, so a signer can always take their name back.</summary>
public static class Emails
{
    public sealed record LetterInfo(string Slug, string Title);

    public static MimeMessage Compose(Email email, LetterInfo letter, string publicBaseUrl, string from)
    {
        var baseUrl = publicBaseUrl.TrimEnd('/');
        var query = $"?letter={Uri.EscapeDataString(letter.Slug)}";
        var withdrawLink = email.WithdrawToken is null ? null : $"{baseUrl}/withdraw{query}#{email.WithdrawToken}";
        var stopSharingLink = email.StopSharing is null ? null : $"{baseUrl}/stop-sharing{query}#{email.StopSharing.Token}";
        var stopSharingText = email.StopSharing is null ? null : $"Stop sharing my details with {Text.Isolate(email.StopSharing.Partner)}";
        var unsubscribeLink = email.UnsubscribeToken is null ? null : $"{baseUrl}/unsubscribe?t={email.UnsubscribeToken}";

        var (subject, paragraphs, action) = email.Kind switch
        {
            EmailKind.Verify => (
                $"Please confirm your signature: {letter.Title}",
                new[]
                {
                    $"You, or someone using this address, signed the open letter “{letter.Title}”.",
                    email.ShowName == false
                        ? "Your signature will be counted; your name will not be shown."
                        : $"Once confirmed, the letter will list you as: “{Text.Isolate(email.Signatory!)}”.",
                    "Not you, or not what you sent? Ignore this email: nothing is signed unless the link below is used.",
                    "Your signature counts only once you confirm it. Open this link and press the button:",
                },
                ((string Text, string Url)?)("Confirm my signature", $"{baseUrl}/verify{query}#{email.VerifyToken}")),
            EmailKind.Milestone => (
                $"Milestone passed: {letter.Title}",
                new[]
                {
                    $"The open letter “{letter.Title}” has passed {email.Summary} confirmed signatures.",
                    "You get this email because your address is the letter's notify address. Each milestone is announced once.",
                },
                ((string Text, string Url)?)("See the letter", $"{baseUrl}/letters/{Uri.EscapeDataString(letter.Slug)}")),
            EmailKind.Update => (
                email.Subject!,
                Markdig.Markdown.ToPlainText(email.Summary!, UpdatePipeline).ReplaceLineEndings("\n")
                    .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Append($"You get this because you asked to hear what happens with the open letter “{letter.Title}”. To stop, unsubscribe: {unsubscribeLink}")
                    .ToArray(),
                ((string Text, string Url)?)("Read the letter", $"{baseUrl}/letters/{Uri.EscapeDataString(letter.Slug)}")),
            EmailKind.DataSummary => (
                $"What we hold about you: {letter.Title}",
                new[] { "Someone asked what is held about this email address. For the open letter " + $"“{letter.Title}” we hold:" }
                    .Concat(email.Summary!.Split('\n')).ToArray(),
                null),
            _ => (
                $"You have already signed: {letter.Title}",
                new[]
                {
                    $"Someone asked to sign the open letter “{letter.Title}” with this address, which has already signed it.",
                    "Nothing has changed: your signature is counted once.",
                },
                null),
        };
        // Staff asked for milestone emails and signers for updates; other signers' emails say what to do if they did not.
        var closing = email.Kind is EmailKind.Milestone or EmailKind.Update ? "" : "If this was not you, you can ignore this email.";

        var text = string.Join("\n\n", paragraphs) + "\n\n" + (action is { } a ? $"{a.Url}\n\n" : "") + closing +
                   (withdrawLink is null ? "" : $"\n\nTo withdraw your signature and erase your details: {withdrawLink}\n") +
                   (stopSharingLink is null ? "" : $"\n{stopSharingText}: {stopSharingLink}\n");
        var html = "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">" +
                   string.Concat(paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>")) +
                   (action is { } b ? $"<p><a href=\"{WebUtility.HtmlEncode(b.Url)}\">{WebUtility.HtmlEncode(b.Text)}</a></p>" : "") +
                   (closing.Length > 0 ? $"<p>{WebUtility.HtmlEncode(closing)}</p>" : "") +
                   (withdrawLink is null ? "" : $"<p><small><a href=\"{WebUtility.HtmlEncode(withdrawLink)}\">Withdraw my signature and erase my details</a></small></p>") +
                   (stopSharingLink is null ? "" : $"<p><small><a href=\"{WebUtility.HtmlEncode(stopSharingLink)}\">{WebUtility.HtmlEncode(stopSharingText)}</a></small></p>") +
                   "</body></html>";

        var message = new MimeMessage { Subject = subject };
        if (unsubscribeLink is not null)
        {
            // RFC 8058: mail clients offer one-click unsubscribe, posting "List-Unsubscribe=One-Click" to this address.
            message.Headers.Add("List-Unsubscribe", $"<{unsubscribeLink}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(email.To));
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    static readonly Markdig.MarkdownPipeline UpdatePipeline = Markdig.MarkdownExtensions.DisableHtml(new Markdig.MarkdownPipelineBuilder()).Build();
}

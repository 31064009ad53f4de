using System.Text.Json;
using System.Text.Json.Nodes;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Outbox;
using Undersigned.Domain.Partners;
using Undersigned.Domain.Signatures;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Services.Webhooks;

/// <summary>What every delivery's body holds.</summary>
public sealed record WebhookBody(string Id, string Type, DateTimeOffset CreatedAt, JsonNode? Data);

public sealed record LetterData(long Id, string Slug, string Title, string Status, DateTimeOffset? OpensAt, DateTimeOffset ClosesAt, string TimeZone,
    long Confirmed);

/// <summary>A signature as a receiver sees it: never an email, except in <c>contact</c> to the partner the signer agreed to.</summary>
public sealed record SignatureData(long SignatureId, long LetterId, string LetterSlug, string Kind, string? DisplayName, string? Partner, string Status,
    SignerContact? Contact);

public sealed record SignerContact(string? Name, string? Email, string? Role, string? Organisation);

/// <summary>
/// Builds a delivery's body when it is sent, from what is stored then: a signature withdrawn since the event (or a
/// redelivery after that) carries no personal data, and a name hidden since is not shown.
/// </summary>
public sealed class WebhookPayloads(LettersStore letters, SignaturesStore signatures, PartnersStore partners, LetterKeys letterKeys, TimeProvider clock)
{
    /// <summary>
    /// The facts of a letter event a partner's key could read too; the rest (staff's reason for a deadline move, the
    /// admin's pause reason with it) stays with staff.
    /// </summary>
    static readonly string[] PartnerFacts = ["change", "previousClosesAt", "closesAt", "milestone"];

    /// <summary>
    /// The body, and whether it carries a signer's contact details; null when the endpoint may not hear of the event: a
    /// partner's hears only of published letters it is attached to now (a withdrawal or stop-sharing notice excepted,
    /// which tells it to erase what it holds). Decided here, when sent, so events queued earlier and redeliveries obey it too.
    /// </summary>
    public async Task<(byte[] Body, bool CarriesContact)?> BuildAsync(WebhookEventRow ev, long? partnerId, CancellationToken ct)
    {
        if (partnerId is { } partner && ev.LetterId is { } eventLetter && ev.Type is not (WebhookEvent.SignatureWithdrawn or WebhookEvent.SharingStopped)
            && await partners.LetterOfAsync(partner, eventLetter, ct) is null)
            return null;
        JsonNode? data;
        var carriesContact = false;
        if (ev.SignatureId is { } signatureId)
        {
            var signature = await SignatureAsync(ev.LetterId!.Value, signatureId, partnerId, ct);
            carriesContact = signature?.Contact is not null;
            data = JsonSerializer.SerializeToNode(signature, Json.Options);
        }
        else
        {
            var facts = ev.Facts is null ? new JsonObject() : JsonNode.Parse(ev.Facts)!.AsObject();
            if (partnerId is not null)
                foreach (var name in facts.Select(f => f.Key).Where(name => !PartnerFacts.Contains(name)).ToList()) facts.Remove(name);
            if (ev.LetterId is { } letterId && await LetterAsync(letterId, ct) is { } letter)
                facts.Insert(0, "letter", JsonSerializer.SerializeToNode(letter, Json.Options));
            data = facts;
        }
        return (JsonSerializer.SerializeToUtf8Bytes(new WebhookBody(ev.Id, ev.Type, ev.CreatedAt, data), Json.Options), carriesContact);
    }

    async Task<LetterData?> LetterAsync(long letterId, CancellationToken ct)
    {
        if (await letters.FindAsync(letterId, ct) is not { } letter) return null;
        var (counts, _) = await signatures.PublicCountsAsync(letterId, ct);
        return new(letter.Id, letter.Slug, letter.Title, LetterStatus.Of(letter, clock.GetUtcNow()), letter.OpensAt, letter.ClosesAt, letter.TimeZone, counts.Total);
    }

    async Task<SignatureData?> SignatureAsync(long letterId, long signatureId, long? endpointPartnerId, CancellationToken ct)
    {
        var row = await signatures.FindAsync(letterId, signatureId, ct);
        var letter = await letters.FindAsync(letterId, ct);
        if (row is null || letter is null) return null;
        var confirmed = row.Status == SignatureStatus.Confirmed;
        var partner = row.PartnerId is { } id ? (await partners.FindAsync(id, ct))?.Code : null;
        // Contact details only to the partner the signer came through and agreed to hear from, while the signature counts
        // and the partner is attached to the letter (the same rule as its key's reads).
        var contact = confirmed && row.PartnerConsent == true && endpointPartnerId is { } own && row.PartnerId == own
                      && await partners.LetterOfAsync(own, letterId, ct) is not null
            ? new SignerContact(row.Name, row.Email(await letterKeys.GetAsync(letterId, ct)), row.Role, row.Organisation)
            : null;
        return new(row.Id, letterId, letter.Slug, row.Kind, confirmed && row.ShowName ? row.Display : null, partner, row.Status, contact);
    }
}

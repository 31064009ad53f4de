using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Card;

/// <summary>
/// The share image of a published letter. Drawn once per text version, count and language and kept beside the cached
/// letter, so requests (however many, however fast) cost a drawing only when what the card shows has changed.
/// </summary>
public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, Settings settings) : EndpointWithoutRequest
{
    static readonly Guid Build = typeof(Endpoint).Assembly.ManifestModule.ModuleVersionId;

    /// <summary>Per cached letter, per language: the card's version and its drawing (one at a time, shared by waiters).</summary>
    static readonly ConditionalWeakTable<PublishedLetter, ConcurrentDictionary<string, (string ETag, Lazy<byte[]> Png)>> Cards = new();

    public override void Configure()
    {
        Get("/letters/{slug}/card.png");
        AllowAnonymous();
        Description(b => b.WithName("GetLetterCard").WithTags("Pages")
            .WithSummary("The letter's 1200×630 share image: title, target and count (?lang= a language of the letter or of the pages)")
            .Produces(200, contentType: "image/png").Produces(304).Problems(404, 503), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var published = await letters.FindPublishedAsync(Route<string>("slug")!, ct);
        if (published is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        if (!TextLayout.Fonts.Available)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 503, "The share image needs the Noto fonts (Debian: fonts-noto-core, fonts-noto-cjk)."));
            return;
        }
        var lang = Query<string>("lang", isRequired: false);
        var words = Words.Named(lang) ?? Words.All[Words.Default];
        var text = published.TextIn(lang) ?? published.Primary;
        var letter = published.Row;
        var (counts, _) = await signatures.PublicCountsAsync(letter.Id, ct);
        var etag = PublicCache.ETag("card", Build, letter.Id, letter.RowVersion, counts.Total, words.Tag, text.Language);
        if (PublicCache.IsCurrent(HttpContext, settings, etag))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        var cards = Cards.GetOrCreateValue(published);
        var card = cards.AddOrUpdate($"{words.Tag}|{text.Language}",
            _ => (etag, Draw()),
            (_, kept) => kept.ETag == etag ? kept : (etag, Draw()));
        await Send.BytesAsync(card.Png.Value, contentType: "image/png", cancellation: ct);

        Lazy<byte[]> Draw() => new(() => ShareCard.Render(text.Title, $"{words["to"]}: {text.Target}",
            words.Plural("card.signatures", counts.Total)));
    }
}

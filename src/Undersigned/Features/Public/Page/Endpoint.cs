using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Page;

/// <summary>
/// The shareable letter page: server-rendered, read without JavaScript, signed through the widget (same origin).
/// One address per language (<c>?lang=</c>), so caches never mix languages; without it the browser's
/// <c>Accept-Language</c> picks one through a private redirect.
/// </summary>
public sealed partial class Endpoint(LettersStore letters, SignaturesStore signatures, ServiceKeys serviceKeys, Settings settings, PublicUrls urls, TimeProvider clock)
    : EndpointWithoutRequest
{
    const int SignatoriesPerPage = 100;

    /// <summary>Scripts and styles only from the service; nothing may frame the page (partners use /embed/{slug}).</summary>
    const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
                          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Moves with every build, so a cached page never outlives the template that made it.</summary>
    static readonly Guid Build = typeof(Endpoint).Assembly.ManifestModule.ModuleVersionId;

    public override void Configure()
    {
        Get("/letters/{slug}");
        AllowAnonymous();
        Description(b => b.WithName("GetLetterPage").WithTags("Pages")
            .WithSummary("The shareable letter page (HTML; ?lang= one of the letter's languages or the page's, else a 302 by Accept-Language; ?cursor= pages the signatories)")
            .Produces(200, contentType: "text/html").Produces(302).Produces(304).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var published = await letters.FindPublishedAsync(Route<string>("slug")!, ct);
        if (published is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        var query = HttpContext.Request.Query;
        var languages = PageLanguages(published);
        if (languages.FirstOrDefault(l => l.Tag.Equals(query["lang"], StringComparison.OrdinalIgnoreCase)) is not { } language)
        {
            // An unknown ?lang is ignored like a missing one: the browser's languages choose, privately.
            var chosen = Preferred(HttpContext.Request.GetTypedHeaders().AcceptLanguage, languages, published.Primary.Language);
            HttpContext.Response.Headers.CacheControl = "private, no-cache";
            HttpContext.Response.Headers.Vary = "Accept-Language";
            await Send.RedirectAsync(HttpContext.Request.Path + With(query, ("lang", chosen)), allowRemoteRedirects: false);
            return;
        }
        // The letter in that language where it has it; the page's own words in it where the service has them, else English.
        var text = published.TextIn(language.Tag) ?? published.Primary;
        var words = Words.Named(language.Tag) ?? Words.Named(language.Tag.Split('-')[0]) ?? Words.All[Words.Default];

        var letter = published.Row;
        var status = LetterStatus.Of(letter, clock.GetUtcNow());
        var (counts, listVersion) = await signatures.PublicCountsAsync(letter.Id, ct, fresh: true);
        // A cursor this page did not give out is ignored, not refused: the first page is shown.
        var cursorKey = query["cursor"].ToString() is { Length: > 0 } cursor ? serviceKeys.OpenPublicCursor(letter.Id, cursor) : null;
        // A partner's code attributes what is signed here; one this letter does not have is ignored, not refused.
        var partner = query["partner"].ToString() is { Length: > 0 } code && published.Partners.ContainsKey(code) ? code : null;
        HttpContext.Response.Headers.ContentSecurityPolicy = Policy;
        if (PublicCache.IsCurrent(HttpContext, settings, PublicCache.ETag("page", Build, letter.Id, letter.RowVersion, status, listVersion, language.Tag, cursorKey ?? 0, partner ?? ""), list: true))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        var rows = await signatures.PublicPageAsync(letter.Id, cursorKey ?? 0, SignatoriesPerPage + 1, ct);
        var page = Paging.Of(rows, SignatoriesPerPage, SignaturesStore.PublicCursorKey, key => serviceKeys.SealPublicCursor(letter.Id, key));
        var days = counts.Total < SignatureTimeline.PublicThreshold ? [] : SignatureTimeline.PublicDays(await signatures.PublicChangesByHourAsync(letter.Id, ct), letter.TimeZone, clock.GetUtcNow());
        var html = Render(new View(published, text, language.Tag, languages, status, counts, page, cursorKey is not null, days, words, urls.Base, partner));
        await Send.StringAsync(html, contentType: "text/html; charset=utf-8", cancellation: ct);
    }

    /// <summary>The query string with the given parameters set (replacing any of the same name).</summary>
    static QueryString With(IQueryCollection query, params (string Name, string? Value)[] set)
        => QueryString.Create(query.Where(p => !set.Any(s => s.Name.Equals(p.Key, StringComparison.OrdinalIgnoreCase)))
            .SelectMany(p => p.Value.Select(v => KeyValuePair.Create(p.Key, v)))
            .Concat(set.Where(s => s.Value is not null).Select(s => KeyValuePair.Create(s.Name, s.Value))));

    sealed record View(PublishedLetter Letter, LetterText Text, string Tag, List<PageLanguage> Languages, string Status, PublicCounts Counts,
                       Page<SignatureRow> Signatories, bool LaterPage, List<SignatureTimeline.PublicDay> Days, Words Words, string Base, string? Partner);

    /// <summary>A language the page can be read in, with its name in itself.</summary>
    sealed record PageLanguage(string Tag, string Name);

    /// <summary>The letter's languages (its own first), then those the pages have words for: a letter in English alone reads in Welsh words too.</summary>
    static List<PageLanguage> PageLanguages(PublishedLetter letter)
        => letter.Texts.Select(t => new PageLanguage(t.Language, Words.Named(t.Language)?["language"] ?? LanguageTag.NativeName(t.Language)))
            .Concat(Words.All.Values.Select(w => new PageLanguage(w.Tag, w["language"])))
            .DistinctBy(l => l.Tag.ToLowerInvariant()).ToList();

    /// <summary>The browser's most preferred language (by Accept-Language quality, or its base language) among the page's; else the letter's own.</summary>
    static string Preferred(IList<Microsoft.Net.Http.Headers.StringWithQualityHeaderValue> acceptLanguage, List<PageLanguage> languages, string fallback)
    {
        foreach (var range in acceptLanguage.Where(r => r.Quality is not 0).OrderByDescending(r => r.Quality ?? 1))
        {
            var wanted = range.Value.Value ?? "";
            var match = languages.FirstOrDefault(l => l.Tag.Equals(wanted, StringComparison.OrdinalIgnoreCase))
                        ?? languages.FirstOrDefault(l => l.Tag.Split('-')[0].Equals(wanted.Split('-')[0], StringComparison.OrdinalIgnoreCase));
            if (match is not null) return match.Tag;
        }
        return fallback;
    }
}

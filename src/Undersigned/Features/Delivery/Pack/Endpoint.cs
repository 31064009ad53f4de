using System.Text;
using FastEndpoints;
using Undersigned.Domain.Audit;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Delivery.Pack;

public sealed class Request
{
    /// <summary>true: also list signatures waiting in review, marked as such, to check before sending.</summary>
    public bool? Preview { get; set; }
    /// <summary>A BCP 47 tag: the letter's text in that translation (signatories as they wrote their names); the primary when absent.</summary>
    public string? Lang { get; set; }
    /// <summary>true: add confirmed counts per language signed in ("fewer than 10" below 10). Off by default: a language can stand in for national origin.</summary>
    public bool? LanguageCounts { get; set; }
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, AuditStore audit, TimeProvider clock) : Endpoint<Request>
{
    public override void Configure()
    {
        Get(@"/api/letters/{id:long}/delivery.{format:regex(^(md|html|pdf)\z)}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("GetDeliveryPack").WithTags("Delivery")
            .WithSummary("The letter with its public signatory block, ready to send to its target (md, html or pdf)")
            .WithDescription("Organisations first, then individuals, alphabetically; then how many chose not to be named. " +
                             "Only confirmed signatures (with preview=true, also those in review, marked). No email address or contact person, ever.")
            .Produces(200, contentType: "text/markdown").Produces(200, contentType: "text/html").Produces(200, contentType: "application/pdf")
            .Problems(400, 404, 503), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var format = Route<string>("format")!;
        var now = clock.GetUtcNow();
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        if (letter?.PublishedAt is null)
        {
            await Send.ResultAsync(letter is null ? Problems.LetterNotFound(HttpContext)
                : Problems.Create(HttpContext, 404, "A draft has no signatories to deliver yet."));
            return;
        }

        if (format == "pdf" && !TextLayout.Fonts.Available)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 503, "PDF needs the Noto fonts (Debian: fonts-noto-core, fonts-noto-cjk); md and html work without them."));
            return;
        }
        Translation? translation = null;
        if (request.Lang is { Length: > 0 } lang && !lang.Equals(letter.Language, StringComparison.OrdinalIgnoreCase)
            && (translation = (await letters.TranslationsAsync(letter.Id, ct)).FirstOrDefault(t => t.Language.Equals(lang, StringComparison.OrdinalIgnoreCase))) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "The letter has no translation in this language.", ("lang", "is not one of the letter's languages.")));
            return;
        }
        var pack = await DeliveryPack.BuildAsync(letters, signatures, letter, translation, now, request.Preview == true, request.LanguageCounts == true, ct);
        await audit.RecordAsync(null, now, User.KeyId(), AuditStore.DeliveryPrefix + format, letter.Id,
            rows: pack.Organisations.Count + pack.Individuals.Count, details: new { preview = pack.Preview, language = pack.Language, languageCounts = pack.LanguageCounts is not null }, ct: ct);

        var (bytes, contentType) = format switch
        {
            "md" => (Encoding.UTF8.GetBytes(PackFormats.Markdown(pack)), "text/markdown; charset=utf-8"),
            "html" => (Encoding.UTF8.GetBytes(PackFormats.Html(pack)), "text/html; charset=utf-8"),
            _ => (PdfPack.Render(pack), "application/pdf"),
        };
        HttpContext.Response.AsAttachment($"{letter.Slug}-letter{(translation is null ? "" : "-" + translation.Language)}-{now:yyyy-MM-dd}.{format}");
        HttpContext.Response.Headers.CacheControl = "no-store";
        await Send.BytesAsync(bytes, contentType: contentType, cancellation: ct);
    }
}

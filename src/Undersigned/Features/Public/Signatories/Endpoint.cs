using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Signatories;

public sealed class Request : PageQuery;

/// <summary>The cursor is checked against the letter it is for, in the handler.</summary>
public sealed class Validator() : PageQueryValidator<Request>(checkCursor: false);

public sealed class Signatory
{
    /// <summary><c>organisation</c> or <c>individual</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>How the signatory is shown: "Name (Role, Organisation)" or "Organisation".</summary>
    public required string Display { get; init; }
    /// <summary>An individual's name; null for organisations (their contact person is never shown).</summary>
    public string? Name { get; init; }
    public string? Role { get; init; }
    public string? Organisation { get; init; }
}

public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, ServiceKeys serviceKeys, Settings settings) : Endpoint<Request, Page<Signatory>>
{
    public override void Configure()
    {
        Get("/api/public/letters/{slug}/signatories");
        AllowAnonymous();
        Description(b => b.WithName("ListPublicSignatories").WithTags("Public")
            .WithSummary("Confirmed signatories who chose to be shown: organisations first, then individuals, in order of signing")
            .Produces<Page<Signatory>>().Produces(304).Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letter = (await letters.FindPublishedAsync(Route<string>("slug")!, ct))?.Row;
        if (letter is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        // Sealed, with the letter inside: a cursor reveals no signature id, and one letter's is refused on another.
        long? position = null;
        if (request.Cursor is { } cursor && (position = serviceKeys.OpenPublicCursor(letter.Id, cursor)) is null)
        {
            await Send.ResultAsync(Problems.Create(HttpContext, 400, "Some fields are not valid.", ("cursor", Paging.CursorMessage)));
            return;
        }
        // The list's version moves with every confirmation, withdrawal and correction: a 304 never keeps a name that went.
        var (_, listVersion) = await signatures.PublicCountsAsync(letter.Id, ct, fresh: true);
        if (PublicCache.IsCurrent(HttpContext, settings, PublicCache.ETag(letter.Id, listVersion), list: true))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        var rows = await signatures.PublicPageAsync(letter.Id, position ?? 0, request.Take + 1, ct);
        var page = Paging.Of(rows, request.Take, SignaturesStore.PublicCursorKey, key => serviceKeys.SealPublicCursor(letter.Id, key));
        await Send.OkAsync(new(page.Items.Select(r => new Signatory
        {
            Kind = r.Kind,
            Display = r.Display,
            Name = r.Kind == SignatureKind.Individual ? r.Name : null,
            Role = r.Kind == SignatureKind.Individual ? r.Role : null,
            Organisation = r.Organisation,
        }).ToList(), page.NextCursor), ct);
    }
}

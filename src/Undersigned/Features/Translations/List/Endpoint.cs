using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Translations.List;

public sealed class Response
{
    /// <summary>The letter's primary language.</summary>
    public required string Language { get; init; }
    public required List<TranslationResponse> Items { get; init; }
}

public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/translations");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("ListTranslations").WithTags("Translations")
            .WithSummary("The letter's translations, each with its text versions and whether it is outdated or hidden")
            .Produces<Response>().Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (await letters.FindAsync(Route<long>("id"), ct) is not { } letter)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var versions = await letters.LanguageVersionsAsync(letter, ct);
        await Send.OkAsync(new Response
        {
            Language = letter.Language,
            Items = (await letters.TranslationsAsync(letter.Id, ct)).Select(t => TranslationResponse.Of(t, letter, versions)).ToList(),
        }, ct);
    }
}

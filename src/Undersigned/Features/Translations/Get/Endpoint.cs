using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Translations.Get;

public sealed class Endpoint(LettersStore letters) : EndpointWithoutRequest<TranslationResponse>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/translations/{lang}");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("GetTranslation").WithTags("Translations").WithSummary("One translation, with its ETag")
            .Produces<TranslationResponse>().Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        if (TranslationResponse.RouteLanguage(HttpContext, Route<string>("lang"), out var invalid) is not { } language)
        {
            await Send.ResultAsync(invalid!);
            return;
        }
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        var translation = letter is null ? null
            : (await letters.TranslationsAsync(letter.Id, ct)).FirstOrDefault(t => t.Language.Equals(language, StringComparison.OrdinalIgnoreCase));
        if (translation is null)
        {
            await Send.ResultAsync(letter is null ? Problems.LetterNotFound(HttpContext) : Problems.Create(HttpContext, 404, "The letter has no translation in this language."));
            return;
        }
        HttpContext.Response.Headers.ETag = translation.ETag;
        await Send.OkAsync(TranslationResponse.Of(translation, letter!, await letters.LanguageVersionsAsync(letter!, ct)), ct);
    }
}

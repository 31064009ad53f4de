using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Preview;

public sealed class Request
{
    /// <summary>A letter's body in Markdown.</summary>
    public string? Body { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Body).NotNull().MaximumLength(100_000);
    }
}

public sealed class Response
{
    /// <summary>The sanitised HTML the public letter would show.</summary>
    public required string Html { get; init; }
}

/// <summary>What a body would look like published, through the same sanitiser as the public letter.</summary>
public sealed class Endpoint : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Post("/api/markdown/preview");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithName("PreviewMarkdown").WithTags("Letters")
            .WithSummary("The sanitised HTML the public letter would show for a Markdown body")
            .Produces<Response>().Problems(400), clearDefaults: true);
    }

    public override Task HandleAsync(Request request, CancellationToken ct)
        => Send.OkAsync(new Response { Html = LetterHtml.Render(request.Body!) }, ct);
}

using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Outcomes;

/// <summary>An outcome's fields. On PATCH, a field left out keeps its value (send <c>url: ""</c> to remove the link).</summary>
public class OutcomeFields
{
    /// <summary><c>delivered</c>, <c>response</c> or <c>other</c>.</summary>
    public string? Kind { get; set; }
    /// <summary>When it happened.</summary>
    public DateTimeOffset? OccurredAt { get; set; }
    /// <summary>One line, such as "We received a response from the Home Office".</summary>
    public string? Title { get; set; }
    /// <summary>Markdown, shown sanitised like the letter.</summary>
    public string? Body { get; set; }
    /// <summary>Optional: where to read more (http or https).</summary>
    public string? Url { get; set; }

    public OutcomeValues Over(Outcome? current) => new(Kind ?? current!.Kind, OccurredAt ?? current!.OccurredAt, (Title ?? current!.Title).Trim(),
        Body ?? current!.Body, Url is null ? current?.Url : Text.Blank(Url));
}

public class OutcomeFieldsValidator<T> : Validator<T> where T : OutcomeFields
{
    public OutcomeFieldsValidator(bool required)
    {
        if (required)
        {
            RuleFor(o => o.Kind).NotNull();
            RuleFor(o => o.OccurredAt).NotNull();
            RuleFor(o => o.Title).NotNull();
            RuleFor(o => o.Body).NotNull();
        }
        RuleFor(o => o.Kind).Must(k => OutcomeKind.All.Contains(k)).When(o => o.Kind is not null).WithMessage("must be delivered, response or other.");
        RuleFor(o => o.OccurredAt).Must(at => CampaignDates.WithinReach(at, Resolve<TimeProvider>())).When(o => o.OccurredAt is not null)
            .WithMessage(CampaignDates.WithinReachMessage);
        RuleFor(o => o.Title).NotEmpty().MaximumLength(200).Must(Text.IsSingleLine).When(o => o.Title is not null).WithMessage("must be a single line of 1–200 characters.");
        RuleFor(o => o.Body).Must(LetterHtml.IsReadable).WithMessage(LetterHtml.NestingMessage);
        RuleFor(o => o.Body).MaximumLength(20_000).Must(Text.HasNoControlCharacters).When(o => o.Body is not null).WithMessage("must be text of at most 20,000 characters.");
        RuleFor(o => o.Url).MaximumLength(2000).Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http")
            .When(o => !string.IsNullOrWhiteSpace(o.Url)).WithMessage("must be an http or https address.");
    }
}

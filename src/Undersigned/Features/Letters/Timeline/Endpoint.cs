using System.Text;
using FastEndpoints;
using FluentValidation;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Letters.Timeline;

public sealed class Request
{
    /// <summary><c>hour</c> (UTC hours) or <c>day</c> (days in the letter's time zone, the default).</summary>
    public string? Interval { get; set; }
}

public sealed class Validator : Validator<Request>
{
    public Validator()
    {
        RuleFor(r => r.Interval).Must(i => i is null or "hour" or "day").WithMessage("must be hour or day.");
    }
}

public sealed class Response
{
    public required string Interval { get; init; }
    public required string TimeZone { get; init; }
    /// <summary>Signatures confirmed (or approved) in each interval with any, oldest first, net of later removals.</summary>
    public required List<TimelinePoint> Items { get; init; }
}

/// <summary>Confirmed signatures over time, for staff, from the hourly rollup: as JSON or as CSV (<c>timeline.csv</c>).</summary>
public sealed class Endpoint(LettersStore letters, SignaturesStore signatures) : Endpoint<Request, Response>
{
    public override void Configure()
    {
        Get("/api/letters/{id:long}/timeline", "/api/letters/{id:long}/timeline.csv");
        Roles(Role.Staff, Role.Admin);
        Description(b => b.WithTags("Letters").WithSummary("Confirmed signatures per hour (UTC) or day (the letter's zone); timeline.csv for a spreadsheet")
            .Produces<Response>().Produces(200, contentType: "text/csv").Problems(400, 404), clearDefaults: true);
    }

    public override async Task HandleAsync(Request request, CancellationToken ct)
    {
        var letter = await letters.FindAsync(Route<long>("id"), ct);
        if (letter is null)
        {
            await Send.ResultAsync(Problems.LetterNotFound(HttpContext));
            return;
        }
        var interval = request.Interval ?? "day";
        var hours = await signatures.ConfirmedByHourAsync(letter.Id, ct);
        var items = interval == "hour" ? hours : SignatureTimeline.Days(hours, letter.TimeZone);
        if (HttpContext.Request.Path.Value!.EndsWith(".csv"))
        {
            var csv = new StringBuilder("start,confirmed\r\n");
            foreach (var item in items) csv.Append($"{item.Start:yyyy-MM-ddTHH:mm:sszzz},{item.Confirmed}\r\n");
            HttpContext.Response.AsAttachment($"{letter.Slug}-timeline-{interval}.csv");
            await Send.StringAsync(csv.ToString(), contentType: "text/csv; charset=utf-8", cancellation: ct);
            return;
        }
        await Send.OkAsync(new Response { Interval = interval, TimeZone = letter.TimeZone, Items = items }, ct);
    }
}

using System.Text;
using FastEndpoints;
using Undersigned.Domain.Letters;
using Undersigned.Domain.Signatures;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Public.Timeline;

public sealed class Response
{
    /// <summary>
    /// Days that are over, oldest first, each with the change it saw (a day with fewer than 5 changes is folded into the
    /// next); empty until the letter has <see cref="Threshold"/> confirmed signatures.
    /// </summary>
    public required List<SignatureTimeline.PublicDay> Items { get; init; }
    /// <summary>Below this many confirmed signatures nothing is shown, so nobody can tell when a particular person signed.</summary>
    public int Threshold { get; init; }
}

/// <summary>A published letter's confirmed signatures by day, for funders, journalists and the letter page.</summary>
public sealed class Endpoint(LettersStore letters, SignaturesStore signatures, Settings settings, TimeProvider clock) : EndpointWithoutRequest<Response>
{
    public override void Configure()
    {
        Get("/api/public/letters/{slug}/timeline", "/api/public/letters/{slug}/timeline.csv");
        AllowAnonymous();
        Description(b => b.WithTags("Public")
            .WithSummary("Confirmed signatures by day (the letter's zone), daily and cumulative; empty below 25; timeline.csv for a spreadsheet")
            .Produces<Response>().Produces(200, contentType: "text/csv").Produces(304).Problems(404), clearDefaults: true);
    }

    public override async Task HandleAsync(CancellationToken ct)
    {
        var letter = (await letters.FindPublishedAsync(Route<string>("slug")!, ct))?.Row;
        if (letter is null)
        {
            await Send.ResultAsync(Problems.PublishedLetterNotFound(HttpContext));
            return;
        }
        var csv = HttpContext.Request.Path.Value!.EndsWith(".csv");
        var (counts, listVersion) = await signatures.PublicCountsAsync(letter.Id, ct);
        // Today's date too: a day is shown once it is over, with no change to the list.
        var now = clock.GetUtcNow();
        var today = TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(letter.TimeZone)).Date.ToString("yyyy-MM-dd");
        if (PublicCache.IsCurrent(HttpContext, settings, PublicCache.ETag("timeline", letter.Id, listVersion, csv, today)))
        {
            await Send.StatusCodeAsync(304, ct);
            return;
        }
        var days = counts.Total < SignatureTimeline.PublicThreshold ? []
            : SignatureTimeline.PublicDays(await signatures.PublicChangesByHourAsync(letter.Id, ct), letter.TimeZone, now);
        if (csv)
        {
            var text = new StringBuilder("date,confirmed,cumulative\r\n");
            foreach (var day in days) text.Append($"{day.Date},{day.Confirmed},{day.Cumulative}\r\n");
            HttpContext.Response.AsAttachment($"{letter.Slug}-timeline.csv");
            await Send.StringAsync(text.ToString(), contentType: "text/csv; charset=utf-8", cancellation: ct);
            return;
        }
        await Send.OkAsync(new Response { Items = days, Threshold = SignatureTimeline.PublicThreshold }, ct);
    }
}

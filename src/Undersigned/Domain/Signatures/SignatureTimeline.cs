namespace Undersigned.Domain.Signatures;

/// <summary>Confirmed signatures in one interval, starting at <see cref="Start"/>.</summary>
public sealed record TimelinePoint(DateTimeOffset Start, long Confirmed);

public static class SignatureTimeline
{
    /// <summary>Below this many confirmed signatures the public sees no timeline, so nobody can tell when a particular person signed.</summary>
    public const int PublicThreshold = 25;

    /// <summary>A day in the letter's zone, its confirmed signatures and those up to its end.</summary>
    public sealed record PublicDay(string Date, long Confirmed, long Cumulative);

    /// <summary>The public, daily view of the hours (daily and cumulative).</summary>
    public static List<PublicDay> PublicDays(IEnumerable<TimelinePoint> hours, string timeZone)
    {
        long total = 0;
        return Days(hours, timeZone).Select(d => new PublicDay(d.Start.ToString("yyyy-MM-dd"), d.Confirmed, total += d.Confirmed)).ToList();
    }

    /// <summary>
    /// Hours summed into days of the letter's zone, each hour placed by its own local date, so a day with a
    /// daylight-saving change has 23 or 25 hours. A day starts at local midnight, with that moment's offset.
    /// </summary>
    public static List<TimelinePoint> Days(IEnumerable<TimelinePoint> hours, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        return hours.GroupBy(h => TimeZoneInfo.ConvertTime(h.Start, zone).Date)
            .Select(day => new TimelinePoint(new DateTimeOffset(day.Key, zone.GetUtcOffset(day.Key)), day.Sum(h => h.Confirmed)))
            .ToList();
    }
}

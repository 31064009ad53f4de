namespace Undersigned.Domain.Signatures;

/// <summary>Confirmed signatures in one interval, starting at <see cref="Start"/>.</summary>
public sealed record TimelinePoint(DateTimeOffset Start, long Confirmed);

/// <summary>Signatures that started (<see cref="Added"/>) and stopped (<see cref="Removed"/>) counting in the hour from <see cref="Start"/>.</summary>
public sealed record PublicChange(DateTimeOffset Start, long Added, long Removed);

public static class SignatureTimeline
{
    /// <summary>Below this many confirmed signatures the public sees no timeline, so nobody can tell when a particular person signed.</summary>
    public const int PublicThreshold = 25;

    /// <summary>A day with fewer changes than this is not shown apart: it is folded into the next day that has enough.</summary>
    public const int PublicMinimumChanges = 5;

    /// <summary>A day in the letter's zone, the change in confirmed signatures it shows, and the total at its end.</summary>
    public sealed record PublicDay(string Date, long Confirmed, long Cumulative);

    /// <summary>
    /// The public, daily view: each change on the day it happened (a withdrawal is taken from the day of the withdrawal);
    /// a day with fewer than <see cref="PublicMinimumChanges"/> changes is folded into the next; today is not shown until
    /// it is over. So no day, once shown, ever changes, and no single signature (or withdrawal) can be dated.
    /// </summary>
    public static List<PublicDay> PublicDays(IEnumerable<PublicChange> hours, string timeZone, DateTimeOffset now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var days = new List<PublicDay>();
        long total = 0, net = 0, changes = 0;
        foreach (var day in hours.GroupBy(h => TimeZoneInfo.ConvertTime(h.Start, zone).Date).Where(d => d.Key < today).OrderBy(d => d.Key))
        {
            net += day.Sum(h => h.Added - h.Removed);
            changes += day.Sum(h => h.Added + h.Removed);
            if (changes < PublicMinimumChanges) continue;
            days.Add(new PublicDay(day.Key.ToString("yyyy-MM-dd"), net, total += net));
            (net, changes) = (0, 0);
        }
        return days;
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

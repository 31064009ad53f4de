namespace Undersigned.Features;

/// <summary>The dates staff may set, on letters and outcomes alike.</summary>
public static class CampaignDates
{
    public const int MaxYearsAway = 10;
    public static readonly string WithinReachMessage = $"must be within {MaxYearsAway} years of now.";

    /// <summary>Dates a campaign can mean (or absent); a year 9999 would overflow every date worked out from it.</summary>
    public static bool WithinReach(DateTimeOffset? instant, TimeProvider clock)
        => instant is null || (instant > clock.GetUtcNow().AddYears(-MaxYearsAway) && instant < clock.GetUtcNow().AddYears(MaxYearsAway));
}

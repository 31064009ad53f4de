namespace Undersigned.Infrastructure;

public static class Origin
{
    /// <summary>A browser's Origin must be listed when the letter lists any; requests without one (not from a browser page) pass.</summary>
    public static bool IsAllowed(string? origin, string[] allowed, string? own = null)
        => allowed.Length == 0 || string.IsNullOrEmpty(origin) || Normalise(origin) is { } o && (allowed.Contains(o) || o == own);

    /// <summary>The origin of an absolute URL (a base URL may have a path), in the same spelling as <see cref="Normalise"/>.</summary>
    public static string? Of(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : null;

    /// <summary>The origin in one spelling (lower case, default port dropped), or null when it is not an origin.</summary>
    public static string? Normalise(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0) return null;
        if (uri.AbsolutePath != "/" || text.TrimEnd().EndsWith('/')) return null;
        return uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant();
    }
}

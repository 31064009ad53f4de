using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace Undersigned.Infrastructure;

/// <summary>
/// The words of the service's own pages, one JSON file per language in <c>Languages/</c>, embedded in the build.
/// Adding a language is adding a file with the same keys as <c>en.json</c>; a test holds every file to that.
/// </summary>
public sealed class Words
{
    readonly Dictionary<string, string> words;

    Words(string tag, Dictionary<string, string> words)
    {
        Tag = tag;
        this.words = words;
        Culture = CultureInfo.GetCultureInfo(words["locale"]);
    }

    /// <summary>The language's BCP 47 tag, as <c>?lang=</c> takes it.</summary>
    public string Tag { get; }
    public CultureInfo Culture { get; }
    public string this[string key] => words[key];
    public IEnumerable<string> Keys => words.Keys;
    public bool Has(string key) => words.ContainsKey(key);

    /// <summary>The words for <paramref name="key"/> with each <c>{name}</c> replaced.</summary>
    public string Format(string key, params (string Name, object Value)[] values)
        => values.Aggregate(words[key], (text, v) => text.Replace($"{{{v.Name}}}", Convert.ToString(v.Value, Culture)));

    public string Count(long n) => n.ToString("N0", Culture);

    /// <summary>The form of <paramref name="key"/> for <paramref name="n"/> (<see cref="Plurals"/>), with <c>{count}</c> and the rest filled in.</summary>
    public string Plural(string key, long n, params (string Name, object Value)[] values)
        => Format($"{key}.{Plurals.Category(Tag, n)}", [("count", Count(n)), .. values]);

    /// <summary>A moment as a date (and time) in the letter's time zone, in this language: see <see cref="FormatDate"/>.</summary>
    public string Date(DateTimeOffset at, string timeZone, bool withTime = false) => FormatDate(at, timeZone, Culture, withTime);

    /// <summary>
    /// "1 May 2027" (with the time and the zone's name when asked) in <paramref name="culture"/>'s words and order, always on
    /// the Gregorian calendar: .NET would write Arabic dates in the Hijri calendar and Farsi in the Persian one, and a
    /// deadline is the same day for everyone. Formatted here, not in the browser, whose date words may lack the language.
    /// </summary>
    public static string FormatDate(DateTimeOffset at, string timeZone, CultureInfo culture, bool withTime = false)
    {
        var local = TimeZoneInfo.ConvertTime(at, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
        var gregorian = Gregorian(culture);
        return withTime ? $"{local.ToString("d MMMM yyyy, HH:mm", gregorian)} ({timeZone})" : local.ToString("d MMMM yyyy", gregorian);
    }

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CultureInfo> GregorianCultures = new();

    static CultureInfo Gregorian(CultureInfo culture) => culture.Calendar is GregorianCalendar ? culture : GregorianCultures.GetOrAdd(culture.Name, _ =>
    {
        var clone = (CultureInfo)culture.Clone();
        if (clone.OptionalCalendars.OfType<GregorianCalendar>().FirstOrDefault() is { } calendar) clone.DateTimeFormat.Calendar = calendar;
        else clone = CultureInfo.InvariantCulture; // no Gregorian form of this culture's dates: the invariant one rather than another calendar
        return CultureInfo.ReadOnly(clone);
    });

    public const string Default = "en";

    /// <summary>Every language, English first: a dictionary enumerates in the order it was filled.</summary>
    public static readonly IReadOnlyDictionary<string, Words> All = Load();

    static Dictionary<string, Words> Load()
    {
        var assembly = typeof(Words).Assembly;
        const string prefix = "Undersigned.Languages.";
        // English first, then the others by tag: the order language switchers list them in.
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix) && n.EndsWith(".json"))
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                var tag = name[prefix.Length..^".json".Length];
                return new Words(tag, JsonSerializer.Deserialize<Dictionary<string, string>>(stream)!);
            })
            .OrderBy(w => w.Tag != Default).ThenBy(w => w.Tag, StringComparer.Ordinal)
            .ToDictionary(w => w.Tag);
    }

    /// <summary>
    /// Every language's words whose keys start with <paramref name="prefix"/> (the prefix dropped), with each language's
    /// <c>tag</c> and <c>locale</c>, as a JSON object by tag: for a script to pick its language in the browser.
    /// </summary>
    public static string SectionJson(string prefix) => Sections.GetOrAdd(prefix, p =>
        JsonSerializer.Serialize(All.ToDictionary(w => w.Key, w => w.Value.Keys.Where(k => k.StartsWith(p))
            .ToDictionary(k => k[p.Length..], k => w.Value[k])
            .Append(KeyValuePair.Create("tag", w.Value.Tag)).Append(KeyValuePair.Create("locale", w.Value["locale"]))
            .ToDictionary())));

    /// <summary>The words never change while the service runs: each section is serialized once (pages ask on every load).</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Sections = new();

    /// <summary>The words for a language or else its base language (<c>cy-GB</c>: Welsh), or null where the service has none.</summary>
    public static Words? Of(string? tag) => Named(tag) ?? Named(tag?.Split('-')[0]);

    /// <summary>The key of the consent wording a translation in this language carries when staff give it none.</summary>
    public const string StandardConsent = "consent.standard";

    /// <summary>The language a <c>?lang=</c> value names, or null for one we have no words for.</summary>
    public static Words? Named(string? tag)
        => tag is { Length: > 0 } && All.TryGetValue(tag.ToLowerInvariant(), out var words) ? words : null;

    /// <summary>
    /// The words for a person who read <paramref name="language"/> (a letter's language, or its base language), else the
    /// browser's choice among ours, else English: what a signer's problems and pages are written in.
    /// </summary>
    public static Words For(string? language, HttpRequest request)
        => Of(language) ?? Preferred(request.GetTypedHeaders().AcceptLanguage);

    /// <summary>The language the browser prefers most among ours (by <c>Accept-Language</c> quality), else English.</summary>
    public static Words Preferred(IList<StringWithQualityHeaderValue> acceptLanguage)
    {
        foreach (var range in acceptLanguage.Where(r => r.Quality is not 0).OrderByDescending(r => r.Quality ?? 1))
        {
            var primary = range.Value.Value?.Split('-')[0];
            if (Named(primary) is { } words) return words;
        }
        return All[Default];
    }
}

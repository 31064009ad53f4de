using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Undersigned.Infrastructure;

public static partial class Json
{
    /// <summary>One set of JSON options for FastEndpoints, minimal APIs and Swashbuckle, so the document matches the wire.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        // {"name": "A", "name": "B"} means two things: refuse it rather than let one silently win.
        options.AllowDuplicateProperties = false;
        options.Converters.Add(new NfcStringConverter());
        options.Converters.Add(new InstantConverter());
        options.Converters.Add(new NullableInstantConverter());
    }

    public static readonly JsonSerializerOptions Options = Create();

    static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        return options;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})\z", RegexOptions.IgnoreCase)]
    private static partial Regex InstantPattern();

    /// <summary>Instants must carry an offset: a bare local time would mean whatever the server's zone is.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset value)
    {
        value = default;
        return InstantPattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false };

    /// <summary>Instants are kept to the millisecond, as stored.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset value)
        => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    public static string Format(DateTimeOffset value)
        => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Text is stored in NFC, so the same name typed on two keyboards is the same name; and without zero-width spaces
    /// (U+200B, U+2060, U+FEFF), which would make two names that look the same differ. ZWJ and ZWNJ stay: Persian and
    /// Indic names need them.
    /// </summary>
    sealed class NfcStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String
                ? reader.GetString()!.Replace("\u200b", "").Replace("\u2060", "").Replace("\ufeff", "").Normalize(System.Text.NormalizationForm.FormC)
                : throw new JsonException("must be a string.");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    sealed class InstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.String && TryParseInstant(reader.GetString()!, out var value)
                ? Truncate(value)
                : throw new JsonException("must be an ISO 8601 instant with an offset, such as 2026-12-01T17:00:00Z");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
            => writer.WriteStringValue(Format(value));
    }

    sealed class NullableInstantConverter : JsonConverter<DateTimeOffset?>
    {
        readonly InstantConverter inner = new();
        public override bool HandleNull => true;

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => reader.TokenType == JsonTokenType.Null ? null : inner.Read(ref reader, typeof(DateTimeOffset), options);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is null) writer.WriteNullValue();
            else inner.Write(writer, value.Value, options);
        }
    }
}

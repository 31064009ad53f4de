using System.Security.Cryptography;

namespace Undersigned.Infrastructure;

/// <summary>
/// The files in <c>Assets/</c> (the widget, the pages' styles and scripts), embedded in the build and served from
/// memory with an ETag of their content, cacheable like the public letter.
/// </summary>
public static class StaticAssets
{
    public sealed record Asset(byte[] Content, string ContentType, string ETag);

    static readonly Dictionary<string, Asset> Files = Load();

    static Dictionary<string, Asset> Load()
    {
        const string prefix = "Undersigned.Assets.";
        var assembly = typeof(StaticAssets).Assembly;
        return assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix)).ToDictionary(n => n[prefix.Length..], name =>
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = name.EndsWith("widget.js") ? WithWords(copy.ToArray()) : copy.ToArray();
            var type = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            return new Asset(content, type, PublicCache.ETag(Convert.ToHexStringLower(SHA256.HashData(content))));
        });
    }

    /// <summary>
    /// The widget with every language's words put in (the <c>widget.*</c> keys of <c>Languages/*.json</c>), so a
    /// language added as a file reaches partner sites' widgets too, and the served script stays one cacheable file.
    /// </summary>
    static byte[] WithWords(byte[] script)
    {
        const string prefix = "widget.";
        var words = Words.All.ToDictionary(w => w.Key, w => w.Value.Keys.Where(k => k.StartsWith(prefix))
            .ToDictionary(k => k[prefix.Length..], k => w.Value[k])
            .Append(KeyValuePair.Create("tag", w.Value.Tag)).Append(KeyValuePair.Create("locale", w.Value["locale"]))
            .ToDictionary());
        var text = System.Text.Encoding.UTF8.GetString(script);
        return System.Text.Encoding.UTF8.GetBytes(text.Replace("/*WORDS*/{}", System.Text.Json.JsonSerializer.Serialize(words)));
    }

    public static Asset? Find(string? name) => name is not null && Files.TryGetValue(name, out var asset) ? asset : null;

    /// <summary>The address of an asset with its version, so a page can let browsers keep it as long as they like.</summary>
    public static string Url(string name) => $"/assets/{name}?v={Files[name].ETag.Trim('"')[..12]}";

    /// <summary>Answers with the asset, or 304 when the client's copy is current.</summary>
    public static Task SendAsync(HttpContext http, Settings settings, Asset asset, CancellationToken ct)
    {
        if (PublicCache.IsCurrent(http, settings, asset.ETag))
        {
            http.Response.StatusCode = 304;
            return http.Response.StartAsync(ct); // started, so the endpoint sends nothing after it
        }
        http.Response.ContentType = asset.ContentType;
        http.Response.ContentLength = asset.Content.Length;
        return http.Response.Body.WriteAsync(asset.Content, ct).AsTask();
    }
}

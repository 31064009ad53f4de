using System.IO.Compression;
using System.Security.Cryptography;

namespace Undersigned.Infrastructure;

/// <summary>
/// The files in <c>Assets/</c> (the widget, the pages' styles and scripts), embedded in the build and served from
/// memory with an ETag of their content, cacheable like the public letter. Text assets are compressed once at start
/// (Brotli at its best, gzip), each encoding with its own ETag, chosen by <c>Accept-Encoding</c> (<c>Vary</c> says so).
/// </summary>
public static class StaticAssets
{
    public sealed record Asset(byte[] Content, string ContentType, string ETag)
    {
        public byte[]? Brotli { get; init; }
        public byte[]? Gzip { get; init; }
    }

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
            var compressible = !type.StartsWith("application/octet-stream");
            return new Asset(content, type, PublicCache.ETag(Convert.ToHexStringLower(SHA256.HashData(content))))
            {
                Brotli = compressible ? Compress(content, s => new BrotliStream(s, CompressionLevel.SmallestSize)) : null,
                Gzip = compressible ? Compress(content, s => new GZipStream(s, CompressionLevel.SmallestSize)) : null,
            };
        });
    }

    static byte[] Compress(byte[] content, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressing = compressor(output)) compressing.Write(content);
        return output.ToArray();
    }

    /// <summary>
    /// The widget with every language's words put in (the <c>widget.*</c> keys of <c>Languages/*.json</c>), so a
    /// language added as a file reaches partner sites' widgets too, and the served script stays one cacheable file.
    /// </summary>
    static byte[] WithWords(byte[] script)
    {
        var text = System.Text.Encoding.UTF8.GetString(script);
        return System.Text.Encoding.UTF8.GetBytes(text.Replace("/*WORDS*/{}", Words.SectionJson("widget.")));
    }

    public static Asset? Find(string? name) => name is not null && Files.TryGetValue(name, out var asset) ? asset : null;

    /// <summary>The address of an asset with its version, so a page can let browsers keep it as long as they like.</summary>
    public static string Url(string name) => $"/assets/{name}?v={Files[name].ETag.Trim('"')[..12]}";

    /// <summary>Answers with the asset in the best encoding the client takes, or 304 when its copy is current.</summary>
    public static Task SendAsync(HttpContext http, Settings settings, Asset asset, CancellationToken ct)
    {
        var accepted = http.Request.Headers.AcceptEncoding.ToString();
        var (encoding, body) = asset.Brotli is { } br && Accepts(accepted, "br") ? ("br", br)
            : asset.Gzip is { } gzip && Accepts(accepted, "gzip") ? ("gzip", gzip)
            : (null, asset.Content);
        if (asset.Brotli is not null) http.Response.Headers.Vary = "Accept-Encoding";
        // One ETag per encoding: a cache must never answer a gzip request with a Brotli body it validated.
        var etag = encoding is null ? asset.ETag : asset.ETag.Insert(asset.ETag.Length - 1, "-" + encoding);
        if (PublicCache.IsCurrent(http, settings, etag))
        {
            http.Response.StatusCode = 304;
            return http.Response.StartAsync(ct); // started, so the endpoint sends nothing after it
        }
        http.Response.ContentType = asset.ContentType;
        if (encoding is not null) http.Response.Headers.ContentEncoding = encoding;
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body, ct).AsTask();
    }

    /// <summary>Whether <c>Accept-Encoding</c> names this coding without refusing it (<c>;q=0</c>).</summary>
    static bool Accepts(string acceptEncoding, string coding)
        => acceptEncoding.Split(',').Select(part => part.Trim().Split(';')).Any(part =>
            part[0].Trim().Equals(coding, StringComparison.OrdinalIgnoreCase)
            && !part.Skip(1).Any(p => p.Replace(" ", "") is "q=0" or "q=0.0" or "q=0.00" or "q=0.000"));
}

using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;

namespace Undersigned.Tests.Features.Widget;

/// <summary>What the browser tests rely on, checked at the HTTP level: CORS, framing policy, caching and size.</summary>
public sealed class WidgetHttpTests(TestApp app) : IClassFixture<TestApp>
{
    static HttpRequestMessage Preflight(string url, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");
        return request;
    }

    [Fact]
    public async Task A_preflight_from_an_attached_partners_site_is_allowed_as_signing_from_it_is()
    {
        var letter = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://coalition.example" } });
        var partner = await (await app.Admin().PostAsJsonAsync("/api/partners", new { name = "Partner", code = $"p{Guid.NewGuid():N}"[..12] })).JsonAsync();
        await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/partners", new { partnerId = partner["id"], allowedOrigins = new[] { "https://partner.example" } });
        var preflight = await app.Anonymous().SendAsync(Preflight($"/api/public/letters/{letter["slug"]}/signatures", "https://partner.example"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal("https://partner.example", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.Forbidden,
            (await app.Anonymous().SendAsync(Preflight($"/api/public/letters/{letter["slug"]}/signatures", "https://stranger.example"))).StatusCode);
    }

    [Fact]
    public async Task CORS_for_signing_allows_only_the_letters_origins_with_preflight_and_Vary()
    {
        var open = await app.CreatePublishedLetterAsync();
        var listed = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://partner.org" } });

        var anyOrigin = await app.Anonymous().SendAsync(Preflight($"/api/public/letters/{open["slug"]}/signatures", "https://anyone.example"));
        Assert.Equal(HttpStatusCode.NoContent, anyOrigin.StatusCode);
        Assert.Equal("https://anyone.example", anyOrigin.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", anyOrigin.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Contains("Origin", anyOrigin.Headers.Vary);

        var partner = await app.Anonymous().SendAsync(Preflight($"/api/public/letters/{listed["slug"]}/signatures", "https://partner.org"));
        Assert.Equal(HttpStatusCode.NoContent, partner.StatusCode);
        await (await app.Anonymous().SendAsync(Preflight($"/api/public/letters/{listed["slug"]}/signatures", "https://evil.example"))).ProblemAsync(403);

        var challenge = new HttpRequestMessage(HttpMethod.Get, $"/api/public/challenge?letter={listed["slug"]}");
        challenge.Headers.Add("Origin", "https://evil.example");
        var refused = await app.Anonymous().SendAsync(challenge);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains("Origin", refused.Headers.Vary);
    }

    [Fact]
    public async Task The_embed_page_may_be_framed_only_by_allowed_origins()
    {
        var open = await app.CreatePublishedLetterAsync();
        var listed = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://partner.org", "http://localhost:8080" } });

        var anyone = await app.Anonymous().GetAsync($"/embed/{open["slug"]}");
        Assert.Contains("frame-ancestors *", anyone.Headers.GetValues("Content-Security-Policy").Single());
        var partners = await app.Anonymous().GetAsync($"/embed/{listed["slug"]}");
        Assert.Contains("frame-ancestors https://partner.org http://localhost:8080", partners.Headers.GetValues("Content-Security-Policy").Single());
        Assert.False(partners.Headers.Contains("X-Frame-Options"));
        await (await app.Anonymous().GetAsync("/embed/no-such-letter")).ProblemAsync(404);
    }

    [Fact]
    public async Task The_script_goes_out_compressed_with_an_ETag_per_encoding_and_public_reads_compress_but_staff_answers_do_not()
    {
        var identity = await (await app.Anonymous().GetAsync("/widget.js")).Content.ReadAsByteArrayAsync();
        async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string url, string encoding, HttpClient? client = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
            var response = await (client ?? app.Anonymous()).SendAsync(request);
            return (response, await response.Content.ReadAsByteArrayAsync());
        }
        static byte[] Decode(Stream stream)
        {
            var plain = new MemoryStream();
            stream.CopyTo(plain);
            return plain.ToArray();
        }

        var (br, brBody) = await GetAsync("/widget.js", "gzip, deflate, br");
        var (gzip, gzipBody) = await GetAsync("/widget.js", "gzip");
        Assert.Equal(["br"], br.Content.Headers.ContentEncoding);
        Assert.Equal(["gzip"], gzip.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", br.Headers.Vary);
        Assert.NotEqual(br.Headers.ETag, gzip.Headers.ETag);
        Assert.Equal(identity, Decode(new BrotliStream(new MemoryStream(brBody), CompressionMode.Decompress)));
        Assert.Equal(identity, Decode(new GZipStream(new MemoryStream(gzipBody), CompressionMode.Decompress)));
        Console.WriteLine($"widget.js on the wire: {identity.Length} bytes, gzip {gzipBody.Length}, brotli {brBody.Length}");
        var again = new HttpRequestMessage(HttpMethod.Get, "/widget.js");
        again.Headers.TryAddWithoutValidation("Accept-Encoding", "br");
        again.Headers.IfNoneMatch.Add(br.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await app.Anonymous().SendAsync(again)).StatusCode);
        Assert.Empty((await GetAsync("/widget.js", "gzip;q=0, identity")).Response.Content.Headers.ContentEncoding);

        var letter = await app.CreatePublishedLetterAsync(new { body = string.Concat(Enumerable.Repeat("We ask you to protect migrants' data. ", 40)) });
        Assert.Equal(["br"], (await GetAsync($"/api/public/letters/{letter["slug"]}", "br")).Response.Content.Headers.ContentEncoding);
        // Staff answers hold addresses and tokens beside text anyone can choose: never compressed (BREACH).
        Assert.Empty((await GetAsync($"/api/letters/{letter["id"]}", "br, gzip", app.Admin())).Response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task The_script_is_small_cached_and_revalidated_by_ETag()
    {
        var response = await app.Anonymous().GetAsync("/widget.js");
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age", response.Headers.CacheControl!.ToString());
        var script = await response.Content.ReadAsByteArrayAsync();
        var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.SmallestSize, leaveOpen: true)) await gzip.WriteAsync(script);
        Console.WriteLine($"widget.js: {script.Length} bytes, {gzipped.Length} gzipped");
        Assert.True(gzipped.Length <= 15 * 1024, $"widget.js is {gzipped.Length} bytes gzipped");

        var again = new HttpRequestMessage(HttpMethod.Get, "/widget.js");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await app.Anonymous().SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task The_script_carries_every_language_file_s_widget_words()
    {
        var script = await app.Anonymous().GetStringAsync("/widget.js");
        Assert.DoesNotContain("/*WORDS*/", script);
        foreach (var (tag, words) in Undersigned.Infrastructure.Words.All)
        {
            Assert.Contains($"\"{tag}\":{{", script);
            Assert.Contains(System.Text.Json.JsonSerializer.Serialize(words["widget.sign"]), script);
        }
        Assert.Equal(script, await app.Anonymous().GetStringAsync("/assets/widget.js")); // one script, whichever address
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Public;

/// <summary>Public reads a CDN can hold through a spike, and never past a withdrawal or a correction.</summary>
public sealed class PublicCacheTests : SmtpAppTest
{
    static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, EntityTagHeaderValue? etag = null, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (etag is not null) request.Headers.IfNoneMatch.Add(etag);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task The_letter_its_count_and_the_widget_are_cacheable_by_any_site_and_revalidate_by_version()
    {
        var letter = await app.CreatePublishedLetterAsync(new { allowedOrigins = new[] { "https://partner.org" } });
        var client = app.Anonymous();
        var urls = new[] { $"/api/public/letters/{letter["slug"]}", $"/api/public/letters/{letter["slug"]}/count", "/widget.js" };
        foreach (var url in urls)
        {
            // A site the letter does not list reads the same answer as anyone: nothing varies by Origin.
            var response = await GetAsync(client, url, origin: "https://elsewhere.example");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("public, max-age=10, stale-while-revalidate=20, stale-if-error=86400", response.Headers.CacheControl!.ToString());
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.DoesNotContain("Origin", response.Headers.Vary);
            Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, url, response.Headers.ETag)).StatusCode);
        }

        var count = await (await client.GetAsync(urls[1])).JsonAsync();
        Assert.Equal((0, app.Clock.GetUtcNow()), ((int)count["confirmed"]!, DateTimeOffset.Parse((string)count["asOf"]!)));

        // A signature confirmed moves the letter's and the count's versions.
        var before = (await client.GetAsync(urls[0])).Headers.ETag;
        var countBefore = (await client.GetAsync(urls[1])).Headers.ETag;
        await client.SignAsync(letter, Signer.Individual("counted@example.org"));
        await client.VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("counted@example.org"), "verify"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, urls[0], before)).StatusCode);
        var counted = await GetAsync(client, urls[1], countBefore);
        Assert.Equal(1, (int)(await counted.JsonAsync())["confirmed"]!);
    }

    [Fact]
    public async Task A_withdrawn_or_corrected_name_is_never_kept_by_revalidation_and_the_list_is_never_served_stale()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        var list = $"/api/public/letters/{letter["slug"]}/signatories";
        await client.SignAsync(letter, Signer.Individual("leaving@example.org", "Leaving Person"));
        var mail = await smtp.WaitForMailAsync("leaving@example.org");
        await client.VerifyAsync(Signer.TokenFrom(mail, "verify"));
        var added = await (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures",
            new { kind = "individual", name = "Jnae Typo", showName = true })).JsonAsync();

        var listed = await GetAsync(client, list);
        Assert.Equal("public, max-age=10", listed.Headers.CacheControl!.ToString());
        Assert.Equal("*", listed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.NotModified, (await GetAsync(client, list, listed.Headers.ETag)).StatusCode);

        // A correction changes no count, and still moves the version.
        await app.Admin().PatchAsJsonAsync($"/api/letters/{letter["id"]}/signatures/{added["id"]}", new { name = "Jane Typo-Fixed" });
        var corrected = await GetAsync(client, list, listed.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, corrected.StatusCode);
        Assert.Contains("Jane Typo-Fixed", await corrected.Content.ReadAsStringAsync());

        await client.WithdrawAsync(Signer.TokenFrom(mail, "withdraw"));
        var withdrawn = await GetAsync(client, list, corrected.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.DoesNotContain("Leaving Person", await withdrawn.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Zero_seconds_means_every_read_revalidates()
    {
        await using var uncached = new TestApp(null, new() { ["Undersigned:PublicCacheSeconds"] = "0" });
        await uncached.InitializeAsync();
        var letter = await uncached.CreatePublishedLetterAsync();
        foreach (var url in new[] { $"/api/public/letters/{letter["slug"]}", $"/api/public/letters/{letter["slug"]}/signatories", "/widget.js" })
            Assert.Equal("no-cache", (await uncached.Anonymous().GetAsync(url)).Headers.CacheControl!.ToString());
    }
}

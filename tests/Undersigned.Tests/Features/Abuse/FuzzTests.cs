using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Undersigned.Tests.Features.Abuse;

/// <summary>Thousands of malformed, oversized and hostile requests at every public route: only 4xx problems, nothing stored.</summary>
public sealed class FuzzTests
{
    static readonly string[] Hostile =
    [
        "' OR 1=1 --", "'; DROP TABLE signatures; --", "<script>alert(1)</script>", "javascript:alert(1)", "\u0000", "\u202Eevil",
        "{{7*7}}", "../../etc/passwd", "%00", "\uFEFF", "A\r\nSet-Cookie: x=y", new string('x', 10_000), "😀😀😀", "\uD800",
    ];
    static readonly string[] Fields = ["kind", "name", "role", "organisation", "email", "showName", "consent", "textVersion", "website", "challenge", "token"];

    static JsonNode? Value(Random random) => random.Next(10) switch
    {
        0 => null,
        1 => random.Next(),
        2 => random.NextDouble() * 1e300,
        3 => true,
        4 => new JsonArray(1, "two", null),
        5 => new JsonObject { ["nested"] = new JsonObject { ["deeper"] = "x" } },
        6 => new string('a', random.Next(1, 70_000)),
        _ => Hostile[random.Next(Hostile.Length)],
    };

    static HttpContent Body(Random random, string validJson)
    {
        byte[] bytes;
        var contentType = "application/json";
        switch (random.Next(9))
        {
            case 0: // fields of a valid body replaced by hostile values, at least one of them by the wrong type
                var node = JsonNode.Parse(validJson)!.AsObject();
                foreach (var field in Fields) if (random.Next(2) == 0) node[field] = Value(random);
                var keys = JsonNode.Parse(validJson)!.AsObject().Select(p => p.Key).ToArray();
                node[keys[random.Next(keys.Length)]] = random.Next(2) == 0 ? new JsonArray("x") : new JsonObject { ["x"] = 1 };
                bytes = Encoding.UTF8.GetBytes(node.ToJsonString());
                break;
            case 1: bytes = Encoding.UTF8.GetBytes(validJson[..random.Next(validJson.Length)]); break; // truncated
            case 2: bytes = Encoding.UTF8.GetBytes(new string('[', 5_000) + new string(']', 5_000)); break; // deep
            case 3: bytes = [.. Encoding.UTF8.GetBytes("{\"name\":\""), 0xC3, 0x28, 0xFF, 0xFE, .. Encoding.UTF8.GetBytes("\"}")]; break; // invalid UTF-8
            case 4: bytes = new byte[random.Next(1, 2_000)]; random.NextBytes(bytes); break;
            case 5: bytes = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('z', 300 * 1024) + "\"}"); break; // over 256 KB
            case 6: bytes = Encoding.UTF8.GetBytes(validJson); contentType = random.Next(3) switch { 0 => "text/plain", 1 => "application/x-www-form-urlencoded", _ => "application/xml" }; break;
            case 7: bytes = Encoding.UTF8.GetBytes(Hostile[random.Next(Hostile.Length)]); break;
            default: bytes = Encoding.UTF8.GetBytes("{\"" + Hostile[random.Next(Hostile.Length)] + "\": " + (Value(random)?.ToJsonString() ?? "null") + "}"); break;
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    static async Task<long[]> RowCountsAsync(TestApp app)
    {
        await using var connection = await app.OpenDatabaseAsync();
        return [.. await connection.QueryAsync<long>("""
            SELECT count(*) FROM signatures UNION ALL SELECT count(*) FROM outbox UNION ALL SELECT count(*) FROM letters
            UNION ALL SELECT count(*) FROM mail_caps UNION ALL SELECT count(*) FROM audit_log
            """)];
    }

    [Fact]
    public async Task Every_public_route_answers_hostile_input_with_a_4xx_problem_and_stores_nothing()
    {
        await using var app = new TestApp(null, new()
        {
            ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000", ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
            ["Undersigned:RateLimits:Verification:PermitLimit"] = "1000000", ["Undersigned:RateLimits:DataRequests:PermitLimit"] = "1000000",
        });
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync();
        var before = await RowCountsAsync(app);
        var client = app.Anonymous();
        var random = new Random(20261123); // reproducible
        var sign = """{"kind":"individual","name":"Jane Roe","email":"jane@example.org","showName":true,"consent":true,"textVersion":1}""";
        var posts = new[]
        {
            ($"/api/public/letters/{letter["slug"]}/signatures", sign),
            ("/api/public/signatures/verify", """{"token":"abcdefghijklmnopqrstuv"}"""),
            ("/api/public/signatures/withdraw", """{"token":"abcdefghijklmnopqrstuv"}"""),
            ("/api/public/data-requests", """{"email":"jane@example.org"}"""),
        };

        var answered = 0;
        for (var i = 0; i < 2_400; i++)
        {
            var (path, valid) = posts[i % posts.Length];
            var body = Body(random, valid);
            HttpResponseMessage response;
            try { response = await client.PostAsync(path, body); }
            catch (HttpRequestException e) { throw new Exception($"request {i} ({body.Headers.ContentLength} bytes, {body.Headers.ContentType}) to {path}", e); }
            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"POST {path} answered {status}: " + string.Join("\n", app.Logs.Where(l => l.StartsWith("Error")).TakeLast(2)));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            answered++;
        }
        foreach (var hostile in Hostile.Take(10).Concat(["%2e%2e%2f", new string('a', 5_000)]))
        {
            var escaped = Uri.EscapeDataString(hostile);
            foreach (var url in new[]
                     {
                         $"/api/public/letters/{escaped}", $"/api/public/letters/{escaped}/signatories",
                         $"/api/public/letters/{letter["slug"]}/signatories?limit={escaped}&cursor={escaped}", $"/api/public/challenge?letter={escaped}",
                     })
            {
                var status = (int)(await client.GetAsync(url)).StatusCode;
                Assert.True(status is >= 400 and < 500, $"GET {url} answered {status}");
                answered++;
            }
            Assert.True((int)(await client.GetAsync($"/verify?letter={escaped}")).StatusCode < 500);
        }

        Assert.True(answered > 2_000);
        Assert.Equal(before, await RowCountsAsync(app));
        Assert.DoesNotContain(app.Logs, line => line.StartsWith("Error"));
    }
}

using System.Net;
using Dapper;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Abuse;

public sealed class AbuseTests
{
    static async Task<TestApp> StartAsync(Dictionary<string, string?>? settings = null)
    {
        var app = new TestApp(null, settings);
        await app.InitializeAsync();
        return app;
    }

    static HttpRequestMessage SignRequest(JsonObject letter, JsonObject signature, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/public/letters/{letter["slug"]}/signatures") { Content = JsonContent.Create(signature) };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    [Fact]
    public async Task Signing_beyond_the_per_address_limit_is_429_with_Retry_After_and_recovers()
    {
        await using var app = await StartAsync(new() { ["Undersigned:RateLimits:Signing:PermitLimit"] = "2", ["Undersigned:RateLimits:Signing:WindowSeconds"] = "60" });
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(letter, Signer.Individual("limit1@example.org"))).StatusCode);
        app.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(letter, Signer.Individual("limit2@example.org"))).StatusCode);

        // The window began at the first request: 40 seconds of it are left. Refusals are not counted against the address.
        var refused = await client.SignAsync(letter, Signer.Individual("limit3@example.org"));
        await refused.ProblemAsync(429);
        Assert.Equal("40", refused.Headers.GetValues("Retry-After").Single());
        app.Clock.Advance(TimeSpan.FromSeconds(39));
        Assert.Equal("1", (await client.SignAsync(letter, Signer.Individual("limit4@example.org"))).Headers.GetValues("Retry-After").Single());

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(letter, Signer.Individual("later@example.org"))).StatusCode);
    }

    [Fact]
    public async Task A_signature_refused_by_one_limit_uses_up_none_of_the_other()
    {
        await using var app = await StartAsync(new() { ["Undersigned:RateLimits:Signing:PermitLimit"] = "2", ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1" });
        var (first, second, third) = (await app.CreatePublishedLetterAsync(), await app.CreatePublishedLetterAsync(), await app.CreatePublishedLetterAsync());
        var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(first, Signer.Individual("one@example.org"))).StatusCode);
        await (await client.SignAsync(first, Signer.Individual("two@example.org"))).ProblemAsync(429);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SignAsync(second, Signer.Individual("three@example.org"))).StatusCode);
        await (await client.SignAsync(third, Signer.Individual("four@example.org"))).ProblemAsync(429);
    }

    [Fact]
    public async Task The_per_letter_limit_is_per_address_and_letter_and_forwarded_addresses_count_only_from_known_proxies()
    {
        await using var app = await StartAsync(new() { ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1", ["Undersigned:KnownProxies"] = "127.0.0.1" });
        var first = await app.CreatePublishedLetterAsync();
        var second = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();

        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(first, Signer.Individual("a@example.org"), "203.0.113.1"))).StatusCode);
        await (await client.SendAsync(SignRequest(first, Signer.Individual("b@example.org"), "203.0.113.1"))).ProblemAsync(429);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(second, Signer.Individual("c@example.org"), "203.0.113.1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(first, Signer.Individual("d@example.org"), "203.0.113.2"))).StatusCode);

        await using var direct = await StartAsync(new() { ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1" });
        var letter = await direct.CreatePublishedLetterAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await direct.Anonymous().SendAsync(SignRequest(letter, Signer.Individual("e@example.org"), "203.0.113.3"))).StatusCode);
        await (await direct.Anonymous().SendAsync(SignRequest(letter, Signer.Individual("f@example.org"), "203.0.113.4"))).ProblemAsync(429);
    }

    [Fact]
    public async Task One_IPv6_network_is_one_client_and_a_client_cannot_forge_an_address_behind_one_proxy()
    {
        await using var app = await StartAsync(new() { ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1", ["Undersigned:KnownProxies"] = "127.0.0.1" });
        var letter = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();

        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(letter, Signer.Individual("v6a@example.org"), "2001:db8:1:2::1"))).StatusCode);
        // Another address in the same /64 is the same subscriber.
        await (await client.SendAsync(SignRequest(letter, Signer.Individual("v6b@example.org"), "2001:db8:1:2:ffff::9"))).ProblemAsync(429);
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(letter, Signer.Individual("v6c@example.org"), "2001:db8:1:3::1"))).StatusCode);

        // With one trusted proxy, only the entry it added counts: what the client wrote before it does not.
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(SignRequest(letter, Signer.Individual("p1@example.org"), "198.51.100.7, 203.0.113.50"))).StatusCode);
        await (await client.SendAsync(SignRequest(letter, Signer.Individual("p2@example.org"), "198.51.100.8, 203.0.113.50"))).ProblemAsync(429);
    }

    [Fact]
    public void Burst_holding_forgets_the_quietest_addresses_first_when_it_tracks_too_many()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestApp.Start);
        var bursts = new Undersigned.Services.Abuse.BurstDetector(new Undersigned.Services.Abuse.RateLimitSettings(), clock);
        for (var i = 0; i < Undersigned.Services.Abuse.BurstDetector.MaxTracked; i++) bursts.IsBurst($"once-{i}");
        clock.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++) Assert.False(bursts.IsBurst("busy")); // the table overflows here
        Assert.True(bursts.IsBurst("busy")); // the sixth in the window is held: the burst was not forgotten with the rest
    }

    [Fact]
    public async Task A_used_challenge_stays_used_however_many_others_are_remembered()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync(new { challenge = "on" });
        var proofOfWork = app.Services.GetRequiredService<Undersigned.Services.Abuse.ProofOfWork>();
        var id = (long)letter["id"]!;
        var first = Solve(proofOfWork.Issue(id).Challenge, 16);
        Assert.Null(proofOfWork.Check(first, id));
        for (var i = 0; i < 20; i++) Assert.Null(proofOfWork.Check(Solve(proofOfWork.Issue(id).Challenge, 16), id));
        Assert.Equal("has been used already: get a new one.", proofOfWork.Check(first, id));

        app.Clock.Advance(TimeSpan.FromMinutes(11)); // all expired: forgotten, and refused as expired, not as new
        Assert.Equal("has expired: get a new one.", proofOfWork.Check(first, id));
    }

    [Fact]
    public async Task A_flood_larger_than_SQLites_parameter_limit_is_invalidated_whole()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync();
        var addressHash = RandomNumberGenerator.GetBytes(16);
        const int flood = 33_000; // SQLite takes at most 32,766 parameters in one statement
        // Written straight into the file: signing 33,000 times through the form would take minutes.
        await using (var connection = await app.OpenDatabaseAsync())
        {
            await using var tx = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("""
                INSERT INTO signatures (letter_id, kind, status, name, show_name, text_version, signed_at, address_hash)
                VALUES (@letter, 'individual', 'pending', 'Flood', @shown, 1, @at, @addressHash)
                """, Enumerable.Range(0, flood).Select(_ => new
            {
                letter = (long)letter["id"]!, shown = true, at = TestApp.Start.ToUnixTimeMilliseconds(), addressHash,
            }), tx);
            await tx.CommitAsync();
        }

        var url = $"/api/letters/{letter["id"]}/invalidations";
        var hex = Convert.ToHexStringLower(addressHash);
        Assert.Equal(flood, (int)(await (await app.Admin().PostAsJsonAsync(url, new { addressHash = hex, preview = true })).JsonAsync())["matched"]!);
        var applied = await app.Admin().PostAsJsonAsync(url, new { addressHash = hex, preview = false });
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        var counts = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!;
        Assert.Equal((0L, (long)flood), ((long)counts["pending"]!, (long)counts["rejected"]!));
    }

    [Fact]
    public async Task A_used_challenge_is_refused_after_a_restart()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        JsonObject letter;
        string solved;
        await using (var first = new TestApp(directory))
        {
            await first.InitializeAsync();
            letter = await first.CreatePublishedLetterAsync(new { challenge = "on" });
            var issued = await (await first.Anonymous().GetAsync($"/api/public/challenge?letter={letter["slug"]}")).JsonAsync();
            solved = Solve((string)issued["challenge"]!, (int)issued["difficulty"]!);
            var signature = Signer.Individual("before.restart@example.org");
            signature["challenge"] = solved;
            Assert.Equal(HttpStatusCode.Accepted, (await first.Anonymous().SignAsync(letter, signature)).StatusCode);
        }

        await using var restarted = new TestApp(directory); // its memory of used challenges starts empty; the database's does not
        await restarted.InitializeAsync();
        var replay = Signer.Individual("replay@example.org");
        replay["challenge"] = solved;
        Assert.Equal(["challenge"], await (await restarted.Anonymous().SignAsync(letter, replay)).ProblemAsync(400));
    }

    [Fact]
    public async Task Challenges_must_be_solved_fresh_for_this_letter_and_used_once()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync(new { challenge = "on" });
        var other = await app.CreatePublishedLetterAsync();
        var client = app.Anonymous();
        async Task<string> SolvedAsync(JsonObject forLetter)
        {
            var issued = await (await client.GetAsync($"/api/public/challenge?letter={forLetter["slug"]}")).JsonAsync();
            return Solve((string)issued["challenge"]!, (int)issued["difficulty"]!);
        }
        async Task<HttpResponseMessage> SignWith(string? challenge, string email)
        {
            var signature = Signer.Individual(email);
            signature["challenge"] = challenge;
            return await client.SignAsync(letter, signature);
        }

        Assert.Equal(["challenge"], await (await SignWith(null, "a@example.org")).ProblemAsync(400));
        var solved = await SolvedAsync(letter);
        Assert.Equal(["challenge"], await (await SignWith(solved[..^1] + (solved[^1] == '0' ? '1' : '0'), "b@example.org")).ProblemAsync(400));
        var forged = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA." + new string('A', 43);
        Assert.Equal(["challenge"], await (await SignWith(Solve(forged, 8), "c@example.org")).ProblemAsync(400));
        Assert.Equal(["challenge"], await (await SignWith(await SolvedAsync(other), "d@example.org")).ProblemAsync(400));

        Assert.Equal(HttpStatusCode.Accepted, (await SignWith(solved, "e@example.org")).StatusCode);
        Assert.Equal(["challenge"], await (await SignWith(solved, "f@example.org")).ProblemAsync(400));

        var stale = await SolvedAsync(letter);
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(["challenge"], await (await SignWith(stale, "g@example.org")).ProblemAsync(400));
        await (await client.GetAsync("/api/public/challenge?letter=no-such-letter")).ProblemAsync(404);
    }

    /// <summary>What the widget does: find a nonce so SHA-256(challenge:nonce) starts with enough zero bits.</summary>
    internal static string Solve(string challenge, int difficulty)
    {
        for (var nonce = 0L; ; nonce++)
        {
            var candidate = $"{challenge}:{nonce}";
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(candidate));
            var bits = 0;
            foreach (var b in hash)
            {
                if (b == 0) { bits += 8; continue; }
                bits += System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
                break;
            }
            if (bits >= difficulty) return candidate;
        }
    }

    [Fact]
    public async Task Disposable_email_domains_are_refused_by_name()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync();
        Assert.Equal(["email"], await (await app.Anonymous().SignAsync(letter, Signer.Individual("x@mailinator.com"))).ProblemAsync(400));
        Assert.Equal(["email"], await (await app.Anonymous().SignAsync(letter, Signer.Individual("x@eu.yopmail.com"))).ProblemAsync(400));
    }

    [Fact]
    public async Task Pausing_answers_503_and_resuming_extends_open_letters_in_their_history()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync();
        var closesAt = DateTimeOffset.Parse((string)letter["closesAt"]!);

        var paused = await app.Admin().PostAsJsonAsync("/api/admin/pause", new { reason = "Bot flood under investigation", extendDeadlines = true });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        await (await app.Admin().PostAsJsonAsync("/api/admin/pause", new { reason = "again" })).ProblemAsync(409);
        var refused = await app.Anonymous().SignAsync(letter, Signer.Individual("waiting@example.org"));
        await refused.ProblemAsync(503);
        Assert.True(refused.Headers.RetryAfter is not null);

        app.Clock.Advance(TimeSpan.FromHours(3));
        var resumedResponse = await app.Admin().DeleteAsync("/api/admin/pause");
        var resumed = await resumedResponse.JsonAsync();
        Assert.True(resumedResponse.IsSuccessStatusCode, resumed.ToJsonString());
        Assert.Contains((long)letter["id"]!, resumed["extendedLetters"]!.AsArray().Select(i => (long)i!));
        var after = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync();
        Assert.Equal(closesAt.AddHours(3), DateTimeOffset.Parse((string)after["closesAt"]!));
        var change = after["deadlineHistory"]!.AsArray().Single()!;
        Assert.Equal("extended", (string?)change["change"]);
        Assert.Contains("Bot flood under investigation", (string?)change["reason"]);
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, Signer.Individual("waiting@example.org"))).StatusCode);
        await (await app.Admin().DeleteAsync("/api/admin/pause")).ProblemAsync(409);
    }

    [Fact]
    public async Task A_burst_from_one_address_is_held_for_review_while_the_answers_stay_identical()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = await StartAsync(smtp.Settings);
        var letter = await app.CreatePublishedLetterAsync();
        var bodies = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var response = await app.Anonymous().SignAsync(letter, Signer.Individual($"burst{i}@example.org", $"Burst Signer {i}"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }
        Assert.Single(bodies.Distinct());

        var statuses = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var verified = await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync($"burst{i}@example.org"), "verify"));
            statuses.Add((string)(await verified.JsonAsync())["status"]!);
        }
        Assert.Equal(["confirmed", "confirmed", "confirmed", "confirmed", "confirmed", "review", "review"], statuses);
        Assert.Equal(5, (await app.Anonymous().PublicSignatoriesAsync(letter)).Count);
    }

    [Fact]
    public async Task Bulk_invalidation_applies_exactly_what_its_preview_showed_and_is_audited()
    {
        await using var app = await StartAsync(new() { ["Undersigned:KnownProxies"] = "127.0.0.1" });
        var letter = await app.CreatePublishedLetterAsync();
        foreach (var (email, address) in new[] { ("a@spam.example", "198.51.100.1"), ("b@mx.spam.example", "198.51.100.2"), ("c@real.example", "198.51.100.3"), ("d@real.example", "198.51.100.1") })
            await app.Anonymous().SendAsync(SignRequest(letter, Signer.Individual(email), address));
        var url = $"/api/letters/{letter["id"]}/invalidations";

        var preview = await (await app.Admin().PostAsJsonAsync(url, new { emailDomain = "spam.example", preview = true })).JsonAsync();
        Assert.Equal(2, (int)preview["matched"]!);
        Assert.Equal(2, (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!["pending"]! - 2);
        var applied = await (await app.Admin().PostAsJsonAsync(url, new { emailDomain = "spam.example", preview = false })).JsonAsync();
        Assert.Equal(preview["signatureIds"]!.ToJsonString(), applied["signatureIds"]!.ToJsonString());

        var signatures = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        var fromFirstAddress = signatures.Single(s => (string)s!["email"]! == "d@real.example")!["addressHash"]!.ToString();
        var byAddress = await (await app.Admin().PostAsJsonAsync(url, new { addressHash = fromFirstAddress, preview = true })).JsonAsync();
        Assert.Equal(1, (int)byAddress["matched"]!); // a@spam.example from the same address is already rejected

        var counts = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!;
        Assert.Equal((2L, 2L), ((long)counts["rejected"]!, (long)counts["pending"]!));
        var audit = (await (await app.Admin().GetAsync($"/api/audit?letterId={letter["id"]}")).JsonAsync())["items"]!.AsArray();
        Assert.Contains(audit, e => (string)e!["action"]! == "signatures.invalidate" && (long)e["rows"]! == 2);
        Assert.Equal(["emailDomain"], await (await app.Admin().PostAsJsonAsync(url, new { preview = true })).ProblemAsync(400));
    }

    [Fact]
    public async Task The_honeypot_stores_nothing()
    {
        await using var app = await StartAsync();
        var letter = await app.CreatePublishedLetterAsync();
        var bot = Signer.Individual("bot@example.org");
        bot["website"] = "http://spam.example";
        Assert.Equal(HttpStatusCode.Accepted, (await app.Anonymous().SignAsync(letter, bot)).StatusCode);
        Assert.Empty((await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray());
    }
}

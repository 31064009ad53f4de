using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Infrastructure;

/// <summary>
/// Two service processes on one PostgreSQL database, with no sticky sessions: what one does, the other knows. Compiled into
/// Undersigned.Tests.Postgres only (SQLite runs one instance).
/// </summary>
public sealed class InstancesTests
{
    // One test client plays many signers: the per-address limits are lifted here.
    static Dictionary<string, string?> Unlimited(Dictionary<string, string?>? settings = null) => new(settings ?? [])
    {
        ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000",
        ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
        ["Undersigned:RateLimits:BurstHold:PermitLimit"] = "1000000",
    };

    static async Task<JsonObject> PublishedLetterAsync(ServiceProcess service, object? fields = null)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(fields ?? new { }))!.AsObject();
        body["title"] = $"Two instances {Guid.NewGuid():N}";
        body["body"] = "b";
        body["target"] = "t";
        body["closesAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("O");
        var created = await (await service.Client().PostAsJsonAsync("/api/letters", body)).JsonAsync();
        return await (await service.Client().PostAsync($"/api/letters/{created["id"]}/publish", null)).JsonAsync();
    }

    /// <summary>Looks until the other instance shows the change, for three seconds at most; says how long it took.</summary>
    static async Task<TimeSpan> SeenWithinAsync(Func<Task<bool>> seen)
    {
        var watch = Stopwatch.StartNew();
        while (!await seen())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "The other instance did not see the change within three seconds.");
            await Task.Yield();
        }
        Console.WriteLine($"Seen by the other instance after {watch.ElapsedMilliseconds} ms");
        return watch.Elapsed;
    }

    [Fact]
    public async Task Signing_on_one_confirming_on_the_other_and_changes_reach_both()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var smtp = await SmtpServer.StartAsync();
        await using var a = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        await using var b = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        var letter = await PublishedLetterAsync(a);

        await a.Client(null).SignAsync(letter, Signer.Individual("two@example.org", "Two Instances"));
        Assert.Equal(HttpStatusCode.OK, (await b.Client(null).VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("two@example.org"), "verify"))).StatusCode);
        foreach (var service in new[] { a, b })
            Assert.Equal("Two Instances", (string?)Assert.Single(await service.Client(null).PublicSignatoriesAsync(letter))!["display"]);

        // B has the letter in its cache; pausing, resuming and closing on A reach it.
        Assert.Equal(1, (int)(await b.Client(null).PublicLetterAsync(letter))["counts"]!["total"]!);
        await a.Client().PostAsJsonAsync("/api/admin/pause", new { reason = "Flood" });
        await SeenWithinAsync(async () => (await b.Client(null).SignAsync(letter, Signer.Individual("paused@example.org"))).StatusCode == HttpStatusCode.ServiceUnavailable);
        await a.Client().DeleteAsync("/api/admin/pause");
        await SeenWithinAsync(async () => (await b.Client(null).SignAsync(letter, Signer.Individual("resumed@example.org"))).StatusCode == HttpStatusCode.Accepted);
        await a.Client().PostAsJsonAsync($"/api/letters/{letter["id"]}/close", new { reason = "Delivered" });
        await SeenWithinAsync(async () => (string?)(await b.Client(null).PublicLetterAsync(letter))["status"] == "closed");
    }

    [Fact]
    public async Task One_address_signing_through_both_instances_at_once_makes_one_signature()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var a = await ServiceProcess.StartAsync(directory, Unlimited());
        await using var b = await ServiceProcess.StartAsync(directory, Unlimited());
        var letter = await PublishedLetterAsync(a);
        // The same 40 addresses through both at once, in opposite orders: both writers' batches take the same rows. Each
        // address is signed once, one of each pair of inserts loses quietly, and neither writer deadlocks the other.
        var addresses = Enumerable.Range(0, 40).Select(i => $"race{i}@example.org").ToList();
        var answers = await Task.WhenAll(addresses.Select(e => a.Client(null).SignAsync(letter, Signer.Individual(e)))
            .Concat(Enumerable.Reverse(addresses).Select(e => b.Client(null).SignAsync(letter, Signer.Individual(e)))));
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode));
        var stored = (await (await a.Client().GetAsync($"/api/letters/{letter["id"]}/signatures?limit=100")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(40, stored.Count);
    }

    [Fact]
    public async Task A_milestone_passed_by_confirmations_on_both_instances_at_once_is_announced_once()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var smtp = await SmtpServer.StartAsync();
        await using var a = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        await using var b = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        var letter = await PublishedLetterAsync(a, new { milestones = new[] { 2, 4 }, notifyEmail = "staff@example.org" });
        var signers = Enumerable.Range(0, 6).Select(i => $"milestone{i}@example.org").ToList();
        foreach (var email in signers) await a.Client(null).SignAsync(letter, Signer.Individual(email));
        var tokens = new List<string>();
        foreach (var email in signers) tokens.Add(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"));

        // Confirmed in pairs, one on each instance at the same moment: each pair's second confirmation passes a milestone.
        for (var i = 0; i < tokens.Count; i += 2)
            Assert.All(await Task.WhenAll(a.Client(null).VerifyAsync(tokens[i]), b.Client(null).VerifyAsync(tokens[i + 1])),
                r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        await smtp.WaitForMailAsync("staff@example.org", 2);
        await a.Client(null).SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org"); // the outbox sends in order: anything queued before has gone
        Assert.Equal(2, smtp.CountTo("staff@example.org"));
    }

    [Fact]
    public async Task A_challenge_used_on_one_instance_is_refused_on_the_other()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var a = await ServiceProcess.StartAsync(directory, Unlimited());
        await using var b = await ServiceProcess.StartAsync(directory, Unlimited());
        var letter = await PublishedLetterAsync(a, new { challenge = "on" });
        var issued = await (await a.Client(null).GetAsync($"/api/public/challenge?letter={letter["slug"]}")).JsonAsync();
        var solved = Features.Abuse.AbuseTests.Solve((string)issued["challenge"]!, (int)issued["difficulty"]!);

        var first = Signer.Individual("first@example.org");
        first["challenge"] = solved;
        Assert.Equal(HttpStatusCode.Accepted, (await a.Client(null).SignAsync(letter, first)).StatusCode);
        var replay = Signer.Individual("replay@example.org");
        replay["challenge"] = solved;
        Assert.Equal(["challenge"], await (await b.Client(null).SignAsync(letter, replay)).ProblemAsync(400));
    }

    [Fact]
    public async Task Each_queued_email_is_sent_once_when_both_instances_send()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var smtp = SmtpServer.Reserve(); // down while the mail queues up, so both senders find the same rows
        await using var a = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        await using var b = await ServiceProcess.StartAsync(directory, Unlimited(smtp.Settings));
        var letter = await PublishedLetterAsync(a);
        var emails = Enumerable.Range(0, 40).Select(i => $"once{i}@example.org").ToList();
        foreach (var (email, i) in emails.Select((e, i) => (e, i)))
            Assert.Equal(HttpStatusCode.Accepted, (await (i % 2 == 0 ? a : b).Client(null).SignAsync(letter, Signer.Individual(email))).StatusCode);

        await smtp.StartListeningAsync(); // both senders retry within seconds, each claiming rows the other has not
        await smtp.WaitForCountAsync(emails.Count);
        await using (var connection = await TestDatabase.OpenAsync(directory))
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox") > 0 && DateTime.UtcNow < deadline) await Task.Yield();
        }
        Assert.All(emails, email => Assert.Equal(1, smtp.CountTo(email)));
    }

    [Fact]
    public async Task Retention_runs_once_an_interval_across_instances()
    {
        var directory = Directory.CreateTempSubdirectory("undersigned-instances-").FullName;
        await using var a = new TestApp(directory);
        await a.InitializeAsync();
        await using var b = new TestApp(directory); // the same database, its own clock set to the same instant
        await b.InitializeAsync();
        static bool Ran(string line) => line.Contains("Retention run started");
        static bool Left(string line) => line.Contains("Retention run left to the instance");
        await a.WaitForLogAsync(line => Ran(line) || Left(line));
        await b.WaitForLogAsync(line => Ran(line) || Left(line));
        Assert.Equal(1, a.Logs.Count(Ran) + b.Logs.Count(Ran)); // start-up: one of the two ran it

        a.Clock.Advance(RetentionInterval);
        b.Clock.Advance(RetentionInterval);
        await a.WaitForLogAsync(line => Ran(line) || Left(line), 2);
        await b.WaitForLogAsync(line => Ran(line) || Left(line), 2);
        Assert.Equal(2, a.Logs.Count(Ran) + b.Logs.Count(Ran)); // and one of them the next interval
    }

    static readonly TimeSpan RetentionInterval = Undersigned.Services.Retention.RetentionService.Interval;
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using MimeKit;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Services;

/// <summary>
/// The signature writer's set path against the path it replaced (each signature alone): the same submissions, in the
/// same groups, through both give the same signatures and the same emails.
/// </summary>
public sealed class WriterSetPathTests
{
    static readonly Dictionary<string, string?> Shared = new()
    {
        ["Undersigned:DataKey"] = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray()), // the same address HMACs in both
        ["Undersigned:RateLimits:Signing:PermitLimit"] = "1000000", ["Undersigned:RateLimits:SigningPerLetter:PermitLimit"] = "1000000",
        ["Undersigned:RateLimits:BurstHold:PermitLimit"] = "1000000", ["Logging:LogLevel:Undersigned.Services.GroupCommit"] = "Debug",
    };

    [Fact]
    public async Task Random_submissions_in_batches_store_and_mail_the_same_as_writing_each_alone()
    {
        await using var sets = new TestApp(null, new(Shared) { ["Undersigned:WriterSetPath"] = "true" });
        await using var alone = new TestApp(null, new(Shared) { ["Undersigned:WriterSetPath"] = "false" });
        await sets.InitializeAsync();
        await alone.InitializeAsync();
        var apps = new[] { sets, alone };
        var letters = new List<JsonObject[]>();
        foreach (var title in new[] { "First differential letter", "Second differential letter" })
            letters.Add([.. await Task.WhenAll(apps.Select(app => app.CreatePublishedLetterAsync(new { title, challenge = "off" })))]);

        // Groups of concurrent submissions (so batches hold several, and repeats of one address): an address repeats in a
        // group only with the same details, since the order within a group is the network's.
        var random = new Random(2026);
        var addresses = Enumerable.Range(0, 90).Select(i => $"signer{i}@example.org").ToArray();
        for (var group = 0; group < 80; group++)
        {
            var submissions = new List<(int Letter, JsonObject Body, bool Staff)>();
            foreach (var address in addresses.OrderBy(_ => random.Next()).Take(20))
            {
                var letter = random.Next(2);
                var staff = random.Next(12) == 0;
                var body = random.Next(4) == 0
                    ? Signer.Organisation(address, $"Org {random.Next(2)}")
                    : Signer.Individual(address, $"Name {random.Next(3)}", role: random.Next(2) == 0 ? null : "Advocate", showName: random.Next(5) > 0);
                if (staff) body["method"] = "paper";
                for (var copies = random.Next(3) == 0 ? 2 : 1; copies > 0; copies--) submissions.Add((letter, body, staff));
            }
            foreach (var (app, index) in apps.Select((app, index) => (app, index)))
            {
                var answers = await Task.WhenAll(submissions.Select(s => s.Staff
                    ? app.Admin().PostAsJsonAsync($"/api/letters/{letters[s.Letter][index]["id"]}/signatures", s.Body)
                    : app.Anonymous().SignAsync(letters[s.Letter][index], s.Body)));
                Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Created or HttpStatusCode.Conflict,
                    $"{a.StatusCode}: {a.Content.ReadAsStringAsync().Result}"));
            }
        }

        var stored = await Task.WhenAll(apps.Select(SignaturesAsync));
        Assert.True(stored[0].Count > 200, $"only {stored[0].Count} signatures");
        Assert.Equal(stored[1], stored[0]);
        var mailed = await Task.WhenAll(apps.Select(MailAsync));
        Assert.True(mailed[0].Count > 200, $"only {mailed[0].Count} emails");
        Assert.Equal(mailed[1], mailed[0]);
        // The set path did the writing in one and not in the other.
        Assert.Contains(sets.Logs, line => line.Contains("new signatures written as a set"));
        Assert.DoesNotContain(alone.Logs, line => line.Contains("new signatures written as a set"));
    }

    [Fact]
    public async Task A_set_that_fails_for_a_reason_other_than_a_conflict_is_undone_and_each_signature_goes_alone()
    {
        await using var app = new TestApp(null, new(Shared) { ["Undersigned:WriterSetPath"] = "true" });
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync(new { challenge = "off" });
        // A row the database refuses (as a constraint or a full disk might): it fails alone, and the set it came in with
        // goes one at a time, not as an answer of "try again" to everyone in the batch.
        await using (var connection = await app.OpenDatabaseAsync())
            await connection.ExecuteAsync(TestDatabase.Postgres
                ? """
                  CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                  BEGIN IF NEW.name = 'Poison Pill' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
                  CREATE TRIGGER poison BEFORE INSERT ON signatures FOR EACH ROW EXECUTE FUNCTION poison();
                  """
                : "CREATE TRIGGER poison BEFORE INSERT ON signatures WHEN NEW.name = 'Poison Pill' BEGIN SELECT RAISE(ABORT, 'refused'); END;");

        var answers = await Task.WhenAll(Enumerable.Range(0, 30)
            .Select(i => app.Anonymous().SignAsync(letter, Signer.Individual($"batch{i}@example.org", i == 15 ? "Poison Pill" : $"Signer {i}"))));
        Assert.NotEqual(HttpStatusCode.Accepted, answers[15].StatusCode);
        Assert.All(answers.Where((_, i) => i != 15), a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Contains(app.Logs, line => line.Contains("could not go in as a set"));
        await using (var connection = await app.OpenDatabaseAsync())
            Assert.Equal(29, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signatures WHERE letter_id = @id", new { id = (long)letter["id"]! }));
    }

    /// <summary>Every signature as a line, by address HMAC (ids depend on the order the writer met them in).</summary>
    static async Task<List<string>> SignaturesAsync(TestApp app)
    {
        await using var connection = await app.OpenDatabaseAsync();
        var rows = await connection.QueryAsync("""
            SELECT letter_id, kind, status, name, role, organisation, show_name, email_hmac, text_version, mails_sent, verify_issued_at, held,
                   staff_added_by, method, confirmed_at
            FROM signatures
            """);
        return [.. rows.Select(r => string.Join("|", ((IDictionary<string, object?>)r).Select(c => c.Value is byte[] b ? Convert.ToHexString(b) : $"{c.Value}"))).Order()];
    }

    /// <summary>Every email once the outbox is empty: to, subject and text, with the links' tokens (which carry ids) left out.</summary>
    static async Task<List<string>> MailAsync(TestApp app)
    {
        await app.WaitForOutboxEmptyAsync();
        return [.. Directory.GetFiles(Path.Combine(app.DataDirectory, "mail"), "*.eml").Select(file =>
        {
            var message = MimeMessage.Load(file);
            return $"{message.To}|{message.Subject}|{Regex.Replace(message.TextBody ?? "", @"[0-9]+\.[A-Za-z0-9_-]{20,}", "T")}";
        }).Order()];
    }
}

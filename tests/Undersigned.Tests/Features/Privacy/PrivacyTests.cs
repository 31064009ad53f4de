using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Dapper;
using FastEndpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Privacy;

public sealed class PrivacyTests : SmtpAppTest
{
    async Task<(JsonObject Letter, string WithdrawToken)> ConfirmedAsync(JsonObject letter, JsonObject signer)
    {
        await app.Anonymous().SignAsync(letter, signer);
        var mail = await smtp.WaitForMailAsync((string)signer["email"]!, smtp.CountTo((string)signer["email"]!) + 1);
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"));
        return (letter, Signer.TokenFrom(mail, "withdraw"));
    }

    [Fact]
    public async Task Withdrawal_erases_at_once_down_to_the_bytes_of_the_database_file()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var (_, withdrawToken) = await ConfirmedAsync(letter, Signer.Individual("erase.me@example.org", "Xylophone Quixotic", role: "Zanzibar Envoy"));
        Assert.True(await app.StoresAsync("Xylophone Quixotic"));

        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().WithdrawAsync(withdrawToken)).StatusCode);
        Assert.False(await app.StoresAsync("Xylophone Quixotic"));
        Assert.False(await app.StoresAsync("Zanzibar Envoy"));
        Assert.Equal(0, (int)(await app.Anonymous().PublicLetterAsync(letter))["counts"]!["total"]!);
    }

    [Fact]
    public async Task Staff_erasure_is_audited_and_removes_the_signer_from_lists_and_counts()
    {
        var letter = await app.CreatePublishedLetterAsync();
        await ConfirmedAsync(letter, Signer.Individual("staff.erase@example.org", "Erased By Staff"));
        var id = (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]![0]!["id"]!;

        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/signatures/{id}")).StatusCode);
        Assert.Empty(await app.Anonymous().PublicSignatoriesAsync(letter));
        Assert.False(await app.StoresAsync("Erased By Staff"));
        await (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/signatures/999999")).ProblemAsync(404);
    }

    [Fact]
    public async Task The_purge_destroys_the_data_key_and_keeps_only_what_the_list_and_pack_need()
    {
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddDays(1).ToString("O"), retainContactDays = 30 });
        await ConfirmedAsync(letter, Signer.Individual("kept@example.org", "Kept Person", organisation: "Kept Org"));
        await ConfirmedAsync(letter, Signer.Organisation("org.contact@example.org", "Purge Test Union", contact: "Contact Erased", role: "Contact Role"));
        await app.Anonymous().SignAsync(letter, Signer.Individual("never.confirmed@example.org", "Never Confirmed"));
        await smtp.WaitForMailAsync("never.confirmed@example.org");

        var retention = await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/retention")).JsonAsync();
        Assert.Equal(TestApp.Start.AddDays(31), DateTimeOffset.Parse((string)retention["purgeAt"]!));
        Assert.Equal((1L, 2L), ((long)retention["signaturesToDelete"]!, (long)retention["signaturesToKeepWithoutContact"]!));

        app.Clock.Advance(TimeSpan.FromDays(31));
        await app.WaitForLogAsync(line => line.Contains($"Purged letter {letter["id"]}"));

        Assert.Equal(["Purge Test Union", "Kept Person (Kept Org)"], (await app.Anonymous().PublicSignatoriesAsync(letter)).Select(s => (string)s!["display"]!));
        var pack = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/delivery.md");
        Assert.Contains("Kept Person (Kept Org)", pack);
        var staffView = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(2, staffView.Count);
        Assert.All(staffView, s => Assert.Null(s!["email"]));

        await using (var connection = await app.OpenDatabaseAsync())
        {
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM letter_keys WHERE letter_id = @id", new { id = (long)letter["id"]! }));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM signatures WHERE letter_id = @id AND (email_encrypted IS NOT NULL OR email_hmac IS NOT NULL)",
                new { id = (long)letter["id"]! }));
        }
        Assert.False(await app.StoresAsync("Never Confirmed"));
        Assert.False(await app.StoresAsync("Contact Erased"));
        await (await app.Admin().PostAsJsonAsync($"/api/letters/{letter["id"]}/deadline",
            new { closesAt = app.Clock.GetUtcNow().AddDays(5), reason = "Too late" })).ProblemAsync(409);
    }

    [Fact]
    public async Task A_days_mail_counts_and_their_address_hashes_go_once_the_day_is_over()
    {
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddDays(60).ToString("O") });
        await app.Anonymous().SignAsync(letter, Signer.Individual("counted@example.org"));
        await smtp.WaitForMailAsync("counted@example.org");
        Assert.Equal(1, await MailCountsAsync());

        app.Clock.Advance(TimeSpan.FromDays(1));
        await app.WaitForLogAsync(line => line.Contains("past days' mail counts forgotten"));
        Assert.Equal(0, await MailCountsAsync());
    }

    async Task<long> MailCountsAsync()
    {
        await using var connection = await app.OpenDatabaseAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM mail_caps");
    }

    [Fact]
    public async Task A_full_access_request_queue_answers_503_and_drops_nothing_silently()
    {
        await using var proxied = new TestApp(null, new() { ["Undersigned:KnownProxies"] = "127.0.0.1" });
        await proxied.InitializeAsync();
        var client = proxied.Anonymous();
        var statuses = new List<HttpStatusCode>();
        // The write lock held from outside: the background answerer waits on its first request while the queue fills.
        await using (await TestDatabase.HoldLockAsync(proxied.DataDirectory))
        {
            for (var i = 0; i < Undersigned.Services.Privacy.DataRequests.QueueCapacity + 2; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Post, "/api/public/data-requests")
                {
                    Content = JsonContent.Create(new { email = $"asker{i}@example.org" }),
                };
                request.Headers.Add("X-Forwarded-For", $"198.51.{i / 250}.{i % 250 + 1}");
                var response = await client.SendAsync(request);
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) Assert.True(response.Headers.Contains("Retry-After"));
            }
        }
        Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable));
    }

    [Fact]
    public async Task Client_addresses_are_kept_only_as_a_keyed_hash_and_only_for_seven_days()
    {
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddDays(60).ToString("O") });
        await app.Anonymous().SignAsync(letter, Signer.Individual("address@example.org"));
        var hash = (string?)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]![0]!["addressHash"];
        Assert.Matches("^[0-9a-f]{32}$", hash);
        Assert.False(await app.StoresAsync("127.0.0.1"));
        await smtp.WaitForMailAsync("address@example.org"); // a signature whose email has not gone yet does not expire
        await app.WaitForOutboxEmptyAsync();

        app.Clock.Advance(TimeSpan.FromDays(8)); // the retention run also expires the unconfirmed signature, and says so
        await app.WaitForLogAsync(line => line.Contains("unconfirmed signatures expired"));
        Assert.Null((await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures")).JsonAsync())["items"]![0]!["addressHash"]);
    }

    [Fact]
    public async Task Access_requests_answer_the_same_for_known_and_unknown_addresses_and_mail_only_the_owner()
    {
        var letter = await app.CreatePublishedLetterAsync(new { title = "Access letter" });
        await ConfirmedAsync(letter, Signer.Individual("known@example.org", "Known Person", role: "Advocate"));

        var known = await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "known@example.org" });
        var unknown = await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "unknown@example.org" });
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(known.StatusCode, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());

        var summary = await smtp.WaitForMailAsync("known@example.org", 2);
        Assert.Contains("Access letter", summary.Subject);
        Assert.Contains("Known Person", summary.TextBody);
        Assert.Contains("Advocate", summary.TextBody);
        var withdraw = Signer.TokenFrom(summary, "withdraw");

        await app.Anonymous().SignAsync(letter, Signer.Individual("marker@example.org"));
        await smtp.WaitForMailAsync("marker@example.org");
        Assert.Equal(0, smtp.CountTo("unknown@example.org"));
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().WithdrawAsync(withdraw)).StatusCode);
        Assert.Equal(["email"], await (await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "nope" })).ProblemAsync(400));
    }

    [Fact]
    public async Task Every_audited_action_leaves_an_entry_with_its_key()
    {
        var (staffKey, staffId) = await app.NewKeyAsync();
        var staff = app.WithKey(staffKey);
        var letter = await app.CreateLetterAsync(new { moderation = "all" });
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/publish", null);
        await ConfirmedAsync(letter, Signer.Individual("audited@example.org", "Audited Person"));
        var url = $"/api/letters/{letter["id"]}";
        var id = (long)(await (await staff.GetAsync($"{url}/signatures")).JsonAsync())["items"]![0]!["id"]!;
        await staff.PostAsync($"{url}/signatures/{id}/approve", null);
        await staff.PatchAsJsonAsync($"{url}/signatures/{id}", new { name = "Audited Person Jr" });
        await staff.GetByteArrayAsync($"{url}/export.csv");
        await staff.GetStringAsync($"{url}/delivery.md");
        await staff.PostAsJsonAsync($"{url}/deadline", new { closesAt = TestApp.Start.AddDays(60), reason = "More time" });
        await staff.PostAsync($"{url}/close", null);
        await staff.DeleteAsync($"{url}/signatures/{id}");
        var (_, revokedId) = await app.NewKeyAsync();
        await app.Admin().DeleteAsync($"/api/keys/{revokedId}");

        var entries = (await (await app.Admin().GetAsync($"/api/audit?letterId={letter["id"]}&limit=100")).JsonAsync())["items"]!.AsArray();
        var byStaff = entries.Where(e => (long?)e!["keyId"] == staffId).Select(e => (string)e!["action"]!).ToHashSet();
        Assert.Superset(new HashSet<string> { "signatures.read", "signature.approve", "signature.correct", "export.csv", "delivery.md", "letter.deadline", "letter.close", "signature.erase" }, byStaff);
        var all = (await (await app.Admin().GetAsync("/api/audit?limit=100")).JsonAsync())["items"]!.AsArray().Select(e => (string)e!["action"]!);
        Assert.Contains("key.create", all);
        Assert.Contains("key.revoke", all);
        await (await staff.GetAsync("/api/audit")).ProblemAsync(403);
    }

    [Fact]
    public async Task Every_route_sends_the_security_headers_and_no_server_banner()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<EndpointDefinition>()).OfType<EndpointDefinition>().Distinct()
            .SelectMany(d => d.Routes.SelectMany(route => d.Verbs.Select(verb => (verb, route))))
            .Select(r => (r.verb, Regex.Replace(r.route.Replace("{format:regex(^(md|html|pdf)$)}", "md").Replace("{slug}", (string)letter["slug"]!), @"\{[^}]+\}", "1")))
            .Append(("GET", "/swagger/index.html")).Append(("GET", "/nowhere")).ToList();
        Assert.True(routes.Count > 30);

        foreach (var (method, url) in routes)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), url)
            {
                Content = method is "GET" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
            };
            var response = await app.Admin().SendAsync(request);
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) && nosniff.Single() == "nosniff", $"{method} {url}");
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.True(response.Headers.Contains("Content-Security-Policy"), $"{method} {url} has no CSP");
            Assert.False(response.Headers.Contains("Server"));
        }
    }

    [Fact]
    public async Task A_full_scenario_logs_no_email_token_or_key()
    {
        var (staffKey, _) = await app.NewKeyAsync();
        var letter = await app.CreatePublishedLetterAsync();
        var (_, withdraw) = await ConfirmedAsync(letter, Signer.Individual("logged.never@example.org", "Log Watcher"));
        await app.Anonymous().PostAsJsonAsync("/api/public/data-requests", new { email = "logged.never@example.org" });
        await app.WithKey(staffKey).GetStringAsync($"/api/letters/{letter["id"]}/signatures");
        await app.Anonymous().WithdrawAsync(withdraw);
        await app.Anonymous().VerifyAsync("forgedforgedforgedforg");

        foreach (var secret in new[] { "logged.never@example.org", withdraw, staffKey, TestApp.AdminKey })
            Assert.DoesNotContain(app.Logs, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
    }
}

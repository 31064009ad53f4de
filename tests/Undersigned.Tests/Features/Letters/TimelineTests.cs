using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Features.Letters;

/// <summary>Confirmed signatures over time: an hourly rollup kept with every status change, days in the letter's zone.</summary>
public sealed class TimelineTests : SmtpAppTest
{
    async Task<long> ConfirmAsync(JsonObject letter, string email)
    {
        await app.Anonymous().SignAsync(letter, Signer.Individual(email));
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync(email), "verify"));
        var items = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures?q=Jane")).JsonAsync())["items"]!.AsArray();
        return (long)items.First(s => (string?)s!["email"] == email)!["id"]!;
    }

    async Task<JsonArray> TimelineAsync(JsonObject letter, string interval)
        => (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/timeline?interval={interval}")).JsonAsync())["items"]!.AsArray();

    [Fact]
    public async Task Per_interval_counts_add_up_to_the_confirmed_count_after_rejections_withdrawals_and_erasures()
    {
        var letter = await app.CreatePublishedLetterAsync(new { moderation = "organisations" });
        await ConfirmAsync(letter, "a@example.org");
        app.Clock.Advance(TimeSpan.FromHours(1));
        var b = await ConfirmAsync(letter, "b@example.org");
        await ConfirmAsync(letter, "c@example.org");
        app.Clock.Advance(TimeSpan.FromHours(1));
        await ConfirmAsync(letter, "d@example.org");
        // An organisation held for review and rejected never counted; a withdrawal and an erasure take theirs back.
        await app.Anonymous().SignAsync(letter, Signer.Organisation("org@example.org", "Held Org"));
        await app.Anonymous().VerifyAsync(Signer.TokenFrom(await smtp.WaitForMailAsync("org@example.org"), "verify"));
        var org = (await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/signatures?status=review")).JsonAsync())["items"]![0]!;
        await app.Admin().PostAsync($"/api/letters/{letter["id"]}/signatures/{org["id"]}/reject", null);
        await app.Anonymous().WithdrawAsync(Signer.TokenFrom(smtp.Messages().Single(m => m.To.ToString() == "a@example.org"), "withdraw"));
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/letters/{letter["id"]}/signatures/{b}")).StatusCode);

        var hours = await TimelineAsync(letter, "hour");
        Assert.Equal([(TestApp.Start.AddHours(1), 1L), (TestApp.Start.AddHours(2), 1L)],
            hours.Select(h => (DateTimeOffset.Parse((string)h!["start"]!), (long)h["confirmed"]!)));
        var confirmed = (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["counts"]!["confirmed"]!;
        Assert.Equal(confirmed, hours.Sum(h => (long)h!["confirmed"]!));
        Assert.Equal(confirmed, (await TimelineAsync(letter, "day")).Sum(d => (long)d!["confirmed"]!));

        var csv = await app.Admin().GetStringAsync($"/api/letters/{letter["id"]}/timeline.csv?interval=hour");
        Assert.Equal("start,confirmed\r\n2026-11-23T13:00:00+00:00,1\r\n2026-11-23T14:00:00+00:00,1\r\n", csv);
        Assert.Equal(["interval"], await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}/timeline?interval=week")).ProblemAsync(400));
    }

    [Fact]
    public async Task Days_are_the_letter_s_days_across_a_daylight_saving_change()
    {
        // London leaves GMT for BST at 01:00 UTC on 28 March 2027.
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = "2027-06-01T00:00:00Z", timeZone = "Europe/London" });
        app.Clock.AdjustTime(new DateTimeOffset(2027, 3, 27, 23, 30, 0, TimeSpan.Zero)); // 23:30 GMT, 27 March
        await ConfirmAsync(letter, "before@example.org");
        app.Clock.AdjustTime(new DateTimeOffset(2027, 3, 28, 23, 30, 0, TimeSpan.Zero)); // 00:30 BST, 29 March
        await ConfirmAsync(letter, "after@example.org");

        var days = await TimelineAsync(letter, "day");
        // Each day starts at local midnight: GMT before the change, BST after (the API writes instants in UTC).
        Assert.Equal([new DateTimeOffset(2027, 3, 27, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 29, 0, 0, 0, TimeSpan.FromHours(1))],
            days.Select(d => DateTimeOffset.Parse((string)d!["start"]!)));
    }

    [Fact]
    public async Task The_public_sees_ended_days_of_at_least_5_changes_from_25_signatures_and_a_day_shown_never_changes()
    {
        var letter = await app.CreatePublishedLetterAsync();
        var admin = app.Admin();
        async Task<List<long>> AddAsync(int n)
        {
            var ids = new List<long>();
            for (var i = 0; i < n; i++)
            {
                var added = await admin.PostAsJsonAsync($"/api/letters/{letter["id"]}/signatures", new { kind = "individual", name = $"Signer {Guid.NewGuid():N}", showName = true });
                Assert.Equal(HttpStatusCode.Created, added.StatusCode);
                ids.Add((long)(await added.JsonAsync())["id"]!);
            }
            return ids;
        }
        var url = $"/api/public/letters/{letter["slug"]}/timeline";
        async Task<List<(string, long, long)>> DaysAsync()
        {
            app.Clock.Advance(TimeSpan.FromSeconds(2)); // past the second public counts are kept for
            return (await (await app.Anonymous().GetAsync(url)).JsonAsync())["items"]!.AsArray()
                .Select(d => ((string)d!["date"]!, (long)d["confirmed"]!, (long)d["cumulative"]!)).ToList();
        }
        var firstDay = await AddAsync(24);
        var small = await (await app.Anonymous().GetAsync(url)).JsonAsync();
        Assert.Empty(small["items"]!.AsArray());
        Assert.Equal(25, (int)small["threshold"]!);
        Assert.Equal("date,confirmed,cumulative\r\n", await app.Anonymous().GetStringAsync(url + ".csv"));
        Assert.DoesNotContain("<figure class=\"timeline\">", await app.Anonymous().GetStringAsync($"/letters/{letter["slug"]}?lang=en"));

        // 24 November: today is not shown until it is over.
        app.Clock.Advance(TimeSpan.FromDays(1));
        await AddAsync(2);
        Assert.Equal([("2026-11-23", 24L, 24L)], await DaysAsync());
        // One more, and a signer of the 23rd erased: counted on the 24th, never taken from the day already shown.
        await AddAsync(1);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/letters/{letter["id"]}/signatures/{firstDay[0]}")).StatusCode);
        app.Clock.Advance(TimeSpan.FromDays(1));
        // The 24th had 4 changes: folded into the next day with enough, so nobody can be dated by a day of their own.
        Assert.Equal([("2026-11-23", 24L, 24L)], await DaysAsync());
        await AddAsync(1);
        app.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal([("2026-11-23", 24L, 24L), ("2026-11-25", 3L, 27L)], await DaysAsync());
        Assert.Equal("date,confirmed,cumulative\r\n2026-11-23,24,24\r\n2026-11-25,3,27\r\n", await app.Anonymous().GetStringAsync(url + ".csv"));
        var page = await app.Anonymous().GetStringAsync($"/letters/{letter["slug"]}?lang=en");
        Assert.Contains("Signatures over time: 27 signatures by 2026-11-25", page);
        Assert.Contains("<tr><td>2026-11-25</td><td>3</td><td>27</td></tr>", page);
    }
}

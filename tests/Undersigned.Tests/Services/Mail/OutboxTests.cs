using System.Net;
using System.Text.Json.Nodes;
using Undersigned.Services.Mail;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Services.Mail;

public sealed class OutboxTests
{
    static bool DeliveryFailed(string line) => line.Contains("Mail is held");

    [Fact]
    public async Task Mail_waits_while_SMTP_is_down_and_a_restart_in_between_loses_nothing()
    {
        await using var smtp = SmtpServer.Reserve(); // nothing listens there yet
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;

        await using (var app = new TestApp(directory, smtp.Settings))
        {
            await app.InitializeAsync();
            var letter = await app.CreatePublishedLetterAsync();
            await app.Anonymous().SignAsync(letter, Signer.Individual("patient@example.org"));
            await app.WaitForLogAsync(DeliveryFailed);

            await smtp.StartListeningAsync();
            app.Clock.Advance(TimeSpan.FromMinutes(1)); // past the back-off
            await smtp.WaitForMailAsync("patient@example.org");

            await smtp.StopAsync();
            await app.Anonymous().SignAsync(letter, Signer.Individual("after.restart@example.org"));
            await app.WaitForLogAsync(DeliveryFailed, count: 2);
        }

        await using (var connection = await TestDatabase.OpenAsync(directory))
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox"));

        await smtp.StartListeningAsync();
        await using var restarted = new TestApp(directory, smtp.Settings);
        await restarted.InitializeAsync();
        restarted.Clock.Advance(TimeSpan.FromHours(1));
        var mail = await smtp.WaitForMailAsync("after.restart@example.org");
        Assert.Equal(HttpStatusCode.OK, (await restarted.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
        Assert.Equal(1, smtp.CountTo("patient@example.org"));
    }

    [Fact]
    public async Task Without_SMTP_mail_is_written_as_eml_files_to_the_pickup_folder()
    {
        await using var app = new TestApp();
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync(new { title = "Pickup letter" });
        var pickup = Path.Combine(app.DataDirectory, "mail");
        Directory.CreateDirectory(pickup);
        using var arrived = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(pickup, "*.eml") { EnableRaisingEvents = true };
        watcher.Renamed += (_, _) => arrived.Release();

        await app.Anonymous().SignAsync(letter, Signer.Individual("pickup@example.org"));
        Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(10)) || Directory.GetFiles(pickup, "*.eml").Length > 0);
        var message = MimeKit.MimeMessage.Load(Assert.Single(Directory.GetFiles(pickup, "*.eml")));
        Assert.Equal("pickup@example.org", message.To.Mailboxes.Single().Address);
        Assert.Contains("Pickup letter", message.Subject);
        // An address and live links: the service's user only.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Assert.Single(Directory.GetFiles(pickup, "*.eml"))));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(pickup));
    }

    [Fact]
    public async Task Mail_refused_for_good_is_kept_as_undeliverable_once_the_relay_takes_other_mail_and_one_refused_for_now_holds_up_nothing_else()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = new TestApp(null, smtp.Settings);
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync();
        await app.Anonymous().SignAsync(letter, Signer.Individual("nobody@refused.example"));
        await app.Anonymous().SignAsync(letter, Signer.Individual("greylisted@later.example"));
        await app.Anonymous().SignAsync(letter, Signer.Individual("after.both@example.org"));

        // Delivered with no clock moved: neither refusal holds the rest back.
        await smtp.WaitForMailAsync("after.both@example.org");
        await app.WaitForLogAsync(line => line.Contains("The relay refused a recipient (SMTP 550 5.1.1"));
        await app.WaitForLogAsync(line => line.Contains("Mail refused for now (SMTP 450"));
        Assert.Equal(1, await UndeliverableAsync(app, letter, 1));

        // The refused row keeps no address or links, and is not tried again.
        await using (var connection = await app.OpenDatabaseAsync())
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT length(payload) FROM outbox WHERE failed_at IS NOT NULL"));
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.WaitForLogAsync(line => line.Contains("Mail refused for now (SMTP 450"), count: 2);
        Assert.Single(app.Logs, line => line.Contains("The relay refused a recipient"));
    }

    /// <summary>What the staff letter says of its undeliverable emails, once the sender's batch is recorded (ten seconds at most).</summary>
    static async Task<long> UndeliverableAsync(TestApp app, JsonObject letter, long expected)
    {
        long undeliverable;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((undeliverable = (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["undeliverableEmails"]!) != expected
               && DateTime.UtcNow < deadline) await Task.Yield();
        return undeliverable;
    }

    /// <summary>How many outbox rows wait to be sent again with their payload, once that reaches <paramref name="expected"/> (ten seconds at most).</summary>
    static async Task<long> WaitingWithPayloadAsync(TestApp app, long expected)
    {
        await using var connection = await app.OpenDatabaseAsync();
        long waiting;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((waiting = await connection.ExecuteScalarAsync<long>(
                   "SELECT count(*) FROM outbox WHERE failed_at IS NULL AND refused_at IS NULL AND length(payload) > 0")) != expected
               && DateTime.UtcNow < deadline) await Task.Yield();
        return waiting;
    }

    [Fact]
    public async Task A_relay_refusing_a_bare_greeting_holds_the_mail_and_a_fully_qualified_name_delivers_it()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("undersigned-test-").FullName;
        // No fully-qualified name anywhere: the public URL is localhost and so is the From domain.
        var bare = new Dictionary<string, string?>(smtp.Settings)
        {
            ["Undersigned:PublicBaseUrl"] = "http://localhost:5080", ["Undersigned:Mail:From"] = "Undersigned <no-reply@localhost>",
            ["Undersigned:Smtp:LocalDomain"] = null,
        };
        JsonObject letter;
        await using (var app = new TestApp(directory, bare))
        {
            await app.InitializeAsync();
            Assert.Contains(app.Logs, line => line.StartsWith("Warning") && line.Contains("Undersigned__Smtp__LocalDomain"));
            letter = await app.CreatePublishedLetterAsync();
            await app.Anonymous().SignAsync(letter, Signer.Individual("greeted@example.org"));
            await app.WaitForLogAsync(line => line.Contains("The relay refused us") && line.Contains("SMTP 504 5.5.2"));
            // The relay's refusal of us is not the signer's: nothing undeliverable, the email kept whole.
            Assert.Equal(0, await UndeliverableAsync(app, letter, 0));
            Assert.Equal(1, await WaitingWithPayloadAsync(app, 1));
        }

        var named = new Dictionary<string, string?>(bare)
        {
            ["Undersigned:Smtp:LocalDomain"] = "mail.coalition.example", ["Undersigned:Mail:From"] = "Coalition <letters@coalition.example>",
        };
        await using var fixedApp = new TestApp(directory, named);
        await fixedApp.InitializeAsync();
        Assert.DoesNotContain(fixedApp.Logs, line => line.Contains("Undersigned__Smtp__LocalDomain"));
        fixedApp.Clock.Advance(TimeSpan.FromMinutes(1));
        var mail = await smtp.WaitForMailAsync("greeted@example.org");
        Assert.EndsWith("@coalition.example", mail.MessageId);
        Assert.Equal(HttpStatusCode.OK, (await fixedApp.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
    }

    [Fact]
    public async Task Relaying_refused_keeps_the_mail_holds_up_no_one_else_and_the_time_it_waited_is_given_back_to_the_signer()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = new TestApp(null, smtp.Settings);
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync(new { closesAt = TestApp.Start.AddDays(60) });
        await app.Anonymous().SignAsync(letter, Signer.Individual("far.away@norelay.example"));
        await app.WaitForLogAsync(line => line.Contains("The relay refused us") && line.Contains("SMTP 554 5.7.1"));
        Assert.Equal(0, await UndeliverableAsync(app, letter, 0));
        // Relaying refused to one domain holds up no one else.
        await app.Anonymous().SignAsync(letter, Signer.Individual("nearby@example.org"));
        await smtp.WaitForMailAsync("nearby@example.org");

        // Ten days on (past the link's seven) the relay's operator fixes it; the signature has not expired meanwhile.
        app.Clock.Advance(TimeSpan.FromDays(10));
        await smtp.StopAsync();
        smtp.RelayAllowed = true;
        await smtp.StartListeningAsync();
        app.Clock.Advance(OutboxSender.MaxBackoff);
        var mail = await smtp.WaitForMailAsync("far.away@norelay.example");
        Assert.Equal(HttpStatusCode.OK, (await app.Anonymous().VerifyAsync(Signer.TokenFrom(mail, "verify"))).StatusCode);
        Assert.Equal(1, (int)(await app.Anonymous().PublicLetterAsync(letter))["counts"]!["total"]!);
    }

    [Fact]
    public async Task Five_refusals_in_a_row_at_three_domains_are_the_relays_doing_and_nobody_is_marked_undeliverable()
    {
        await using var smtp = await SmtpServer.StartAsync();
        await using var app = new TestApp(null, smtp.Settings);
        await app.InitializeAsync();
        var letter = await app.CreatePublishedLetterAsync();
        foreach (var domain in new[] { "a", "b", "c", "a", "b" })
            await app.Anonymous().SignAsync(letter, Signer.Individual($"signer{Guid.NewGuid():N}@{domain}.refused.example"));
        await app.WaitForLogAsync(line => line.Contains("Mail is held") && line.Contains("5 recipients at 3 domains refused in a row"));
        Assert.Equal(0, await UndeliverableAsync(app, letter, 0));
        Assert.Equal(5, await WaitingWithPayloadAsync(app, 5));
        // Held: new mail does not wake the sender into the relay before its retry.
        await app.Anonymous().SignAsync(letter, Signer.Individual("sixth@example.org"));
        Assert.Equal(6, await WaitingWithPayloadAsync(app, 6));
    }
}

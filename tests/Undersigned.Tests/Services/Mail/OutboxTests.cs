using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Undersigned.Tests.Features.Signing;

namespace Undersigned.Tests.Services.Mail;

public sealed class OutboxTests
{
    static bool DeliveryFailed(string line) => line.Contains("Mail delivery failed");

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
    public async Task Mail_refused_for_good_is_kept_as_undeliverable_and_one_refused_for_now_holds_up_nothing_else()
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
        await app.WaitForLogAsync(line => line.Contains("Mail refused for good (SMTP 550"));
        await app.WaitForLogAsync(line => line.Contains("Mail delivery failed (SMTP 450"));
        // Recorded when the sender's batch commits (on PostgreSQL, just after the log line): look until it is, for ten seconds at most.
        long undeliverable;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((undeliverable = (long)(await (await app.Admin().GetAsync($"/api/letters/{letter["id"]}")).JsonAsync())["undeliverableEmails"]!) == 0
               && DateTime.UtcNow < deadline) await Task.Yield();
        Assert.Equal(1, undeliverable);

        // The refused row keeps no address or links, and is not tried again.
        await using (var connection = await app.OpenDatabaseAsync())
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT length(payload) FROM outbox WHERE failed_at IS NOT NULL"));
        app.Clock.Advance(TimeSpan.FromHours(1));
        await app.WaitForLogAsync(line => line.Contains("Mail delivery failed (SMTP 450"), count: 2);
        Assert.Single(app.Logs, line => line.Contains("Mail refused for good"));
    }
}

namespace Undersigned.Tests;

/// <summary>For tests that read the mail: a fresh SMTP server and app for each test.</summary>
public abstract class SmtpAppTest : IAsyncLifetime
{
    protected SmtpServer smtp = null!;
    protected TestApp app = null!;

    public async Task InitializeAsync()
    {
        smtp = await SmtpServer.StartAsync();
        app = new TestApp(null, smtp.Settings);
        await app.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await smtp.DisposeAsync();
    }
}

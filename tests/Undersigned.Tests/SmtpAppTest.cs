namespace Undersigned.Tests;

/// <summary>For tests that read the mail: a fresh SMTP server and app for each test.</summary>
public abstract class SmtpAppTest : IAsyncLifetime
{
    protected SmtpServer smtp = null!;
    protected TestApp app = null!;

    public async Task InitializeAsync()
    {
        smtp = await SmtpServer.StartAsync();
        var settings = smtp.Settings;
        Configure(settings);
        app = new TestApp(null, settings);
        await app.InitializeAsync();
    }

    /// <summary>Settings a test class needs beyond the SMTP server's.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings) { }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await smtp.DisposeAsync();
    }
}

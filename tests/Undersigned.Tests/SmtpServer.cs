using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace Undersigned.Tests;

/// <summary>A real SMTP server on loopback (Python's aiosmtpd writing a maildir), for the service to deliver to.</summary>
public sealed class SmtpServer : IAsyncDisposable
{
    public int Port { get; }
    readonly string maildir;
    Process? process;

    SmtpServer(int port, string maildir)
    {
        Port = port;
        this.maildir = maildir;
    }

    /// <summary>A port with nothing listening yet: point the service at it to see SMTP "down".</summary>
    public static SmtpServer Reserve()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        // aiosmtpd makes the maildir (with cur, new and tmp) itself; it must not exist half-made.
        return new SmtpServer(port, Path.Combine(Directory.CreateTempSubdirectory("undersigned-mail-").FullName, "maildir"));
    }

    /// <summary>Starts on a free port; another test may take a reserved port first, so a lost race tries another.</summary>
    public static async Task<SmtpServer> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = Reserve();
            try
            {
                await server.StartListeningAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await server.StopAsync();
            }
        }
    }

    /// <summary>Whether the relay lets mail through to norelay.example (as after its operator fixes it); read at each start.</summary>
    public bool RelayAllowed { get; set; }

    public Dictionary<string, string?> Settings => new()
    {
        ["Undersigned:Smtp:Host"] = "127.0.0.1",
        ["Undersigned:Smtp:Port"] = Port.ToString(),
        ["Undersigned:Smtp:Security"] = "None",
        // As an operator sets it: the server refuses a greeting that is not a fully-qualified name, as hardened relays do.
        ["Undersigned:Smtp:LocalDomain"] = "mail.undersigned.test",
    };

    public async Task StartListeningAsync()
    {
        // smtp_handler.py: a maildir that refuses what hardened relays refuse (a bare greeting, relaying, some recipients).
        var start = new ProcessStartInfo("/usr/bin/python3",
            ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "smtp_handler.Refusing", maildir])
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        start.Environment["PYTHONPATH"] = AppContext.BaseDirectory;
        if (RelayAllowed) start.Environment["SMTP_RELAY_ALLOWED"] = "1";
        process = Process.Start(start)!;
        // Ready when our server (not another test's, on a port it took first) greets on the port; give up after ten seconds.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"The SMTP server could not listen on port {Port}.");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                using var reader = new StreamReader(client.GetStream());
                var greeting = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(2));
                if (greeting?.StartsWith("220") == true && !process.HasExited) return;
                throw new InvalidOperationException($"Something else answers on port {Port}.");
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Yield();
            }
        }
    }

    public async Task StopAsync()
    {
        if (process is null) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    public IEnumerable<MimeMessage> Messages()
    {
        var directory = Path.Combine(maildir, "new");
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory).OrderBy(ArrivalOrder).Select(f => MimeMessage.Load(f)).ToList()
            : [];
    }

    /// <summary>Waits until a message to this address arrives (the n-th, counting from 1), watching the maildir.</summary>
    public async Task<MimeMessage> WaitForMailAsync(string to, int nth = 1)
    {
        List<MimeMessage> matching = [];
        await WaitUntilAsync(() => (matching = Messages().Where(m => m.To.Mailboxes.Any(a => a.Address == to)).ToList()).Count >= nth,
            () => $"No mail #{nth} to {to} arrived");
        return matching[nth - 1];
    }

    /// <summary>Waits until the maildir holds at least this many messages.</summary>
    public Task WaitForCountAsync(int count)
        => WaitUntilAsync(() => Directory.GetFiles(Path.Combine(maildir, "new")).Length >= count, () => $"Fewer than {count} messages arrived");

    async Task WaitUntilAsync(Func<bool> done, Func<string> failure)
    {
        var directory = Path.Combine(maildir, "new");
        Directory.CreateDirectory(directory);
        using var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(directory) { EnableRaisingEvents = true };
        watcher.Created += (_, _) => changed.Release();
        watcher.Renamed += (_, _) => changed.Release();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await changed.WaitAsync(left))
                throw new TimeoutException($"{failure()}; {Messages().Count()} messages in all.");
        }
    }

    /// <summary>Maildir names are "seconds.M{microseconds}P{pid}Q{n}.host": compare the numbers, not the text.</summary>
    static (long Seconds, long Microseconds) ArrivalOrder(string path)
    {
        var parts = Path.GetFileName(path).Split('.');
        var micro = parts[1][1..parts[1].IndexOf('P')];
        return (long.Parse(parts[0]), long.Parse(micro));
    }

    public int CountTo(string to) => Messages().Count(m => m.To.Mailboxes.Any(a => a.Address == to));

    public async ValueTask DisposeAsync() => await StopAsync();
}

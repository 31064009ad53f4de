using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Undersigned.Tests;

/// <summary>The built service as its own process, for what only a real process shows: being killed mid-write.</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public string BaseUrl { get; }
    public ConcurrentQueue<string> Output { get; } = new();
    readonly Process process;

    ServiceProcess(Process process, string baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
    }

    /// <summary>Starts the service expecting it to refuse to start: its exit code and what it wrote to stderr.</summary>
    public static Task<(int ExitCode, List<string> Errors)> FailToStartAsync(string dataDirectory, Dictionary<string, string?> settings)
        => RunToExitAsync(dataDirectory, settings);

    /// <summary>Runs the service's binary with these arguments (a command such as <c>backup FILE</c>) until it exits.</summary>
    public static async Task<(int ExitCode, List<string> Errors)> RunToExitAsync(string dataDirectory, Dictionary<string, string?> settings, params string[] arguments)
    {
        var start = await StartInfoAsync(dataDirectory, settings, FreePort());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.Add(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, errors);
    }

    static async Task<ProcessStartInfo> StartInfoAsync(string dataDirectory, Dictionary<string, string?> settings, int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Undersigned.dll")])
        {
            WorkingDirectory = dataDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Undersigned"] = await TestDatabase.ConnectionStringForAsync(dataDirectory),
            ["Undersigned__DataDirectory"] = dataDirectory,
            ["Undersigned__AdminKey"] = TestApp.AdminKey,
            ["Undersigned__PublicBaseUrl"] = "http://undersigned.test",
            ["Undersigned__AllowHttpPublicBaseUrl"] = "true", // the tests have no TLS in front
        };
        foreach (var (key, value) in TestDatabase.KeySettings.Concat(settings)) environment[key.Replace(":", "__")] = value;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return start;
    }

    public static async Task<ServiceProcess> StartAsync(string dataDirectory, Dictionary<string, string?> settings)
    {
        var port = FreePort();
        var start = await StartInfoAsync(dataDirectory, settings, port);
        var service = new ServiceProcess(Process.Start(start)!, $"http://127.0.0.1:{port}");
        service.process.OutputDataReceived += (_, e) => { if (e.Data is not null) service.Output.Enqueue(e.Data); };
        service.process.ErrorDataReceived += (_, e) => { if (e.Data is not null) service.Output.Enqueue(e.Data); };
        service.process.BeginOutputReadLine();
        service.process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return service;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !service.process.HasExited)
            {
                await Task.Yield();
            }
            if (service.process.HasExited || DateTime.UtcNow > deadline)
                throw new InvalidOperationException("The service did not start:\n" + string.Join("\n", service.Output));
        }
    }

    public HttpClient Client(string? key = TestApp.AdminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it; returns once the process has exited and all it printed is read.</summary>
    public int ExitCode => process.ExitCode;

    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync();
    }

    static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) await KillAsync();
        process.Dispose();
    }
}

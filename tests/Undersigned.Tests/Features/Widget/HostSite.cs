using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Undersigned.Tests.Features.Widget;

/// <summary>A partner's site on another origin (another port on 127.0.0.1): serves the pages that embed the widget.</summary>
public sealed class HostSite : IAsyncDisposable
{
    readonly WebApplication app;
    readonly Dictionary<string, string> pages = new();
    public string Origin { get; }

    HostSite(WebApplication app, string origin)
    {
        this.app = app;
        Origin = origin;
    }

    public static async Task<HostSite> StartAsync()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var site = new HostSite(app, $"http://127.0.0.1:{port}");
        app.MapGet("/{page}", (string page) => site.pages.TryGetValue(page, out var html) ? Results.Content(html, "text/html") : Results.NotFound());
        await app.StartAsync();
        return site;
    }

    /// <summary>Publishes a page at /{name} and returns its address.</summary>
    public string Page(string name, string body)
    {
        pages[name] = $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Partner site</title></head>" +
                      $"<body style=\"font-family: Georgia, serif\"><h1>Our campaign</h1>{body}</body></html>";
        return $"{Origin}/{name}";
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

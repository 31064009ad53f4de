using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Undersigned.Tests.Features.Webhooks;

/// <summary>A webhook receiver on a real loopback socket: it records what arrives and answers as the test plans.</summary>
public sealed class Receiver : IAsyncDisposable
{
    public sealed record Received(string Timestamp, string Signature, string Body)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
        public string Type => (string)Json["type"]!;
        public string Id => (string)Json["id"]!;

        /// <summary>Checked as docs/api.md tells receivers to: some <c>v1=</c> is the HMAC of "timestamp.body" under the secret.</summary>
        public bool IsSignedWith(string secret)
        {
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{Timestamp}.{Body}")));
            return Signature.Split(',').Any(part => part == "v1=" + expected);
        }
    }

    readonly WebApplication app;
    readonly Channel<Received> arrivals = Channel.CreateUnbounded<Received>();
    /// <summary>Status codes to answer with, in order; 200 once they run out.</summary>
    public ConcurrentQueue<int> Answers { get; } = new();
    public string Url { get; private set; } = "";

    Receiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            await arrivals.Writer.WriteAsync(new(http.Request.Headers["Undersigned-Timestamp"].ToString(),
                http.Request.Headers["Undersigned-Signature"].ToString(), body));
            return Results.StatusCode(Answers.TryDequeue(out var status) ? status : 200);
        });
    }

    public static async Task<Receiver> StartAsync()
    {
        var receiver = new Receiver();
        await receiver.app.StartAsync();
        receiver.Url = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hook";
        return receiver;
    }

    /// <summary>The next request to arrive, failing after ten seconds.</summary>
    public async Task<Received> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await arrivals.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next <paramref name="count"/> requests.</summary>
    public async Task<List<Received>> NextAsync(int count)
    {
        var received = new List<Received>();
        for (var i = 0; i < count; i++) received.Add(await NextAsync());
        return received;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

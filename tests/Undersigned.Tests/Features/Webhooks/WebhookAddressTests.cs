using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Undersigned.Services.Webhooks;

namespace Undersigned.Tests.Features.Webhooks;

/// <summary>With the default settings a webhook cannot be aimed inside the network, at registration or at delivery.</summary>
public sealed class WebhookAddressTests : IAsyncLifetime
{
    /// <summary>A host that resolves to a public address first and to loopback afterwards: DNS rebinding.</summary>
    sealed class RebindingResolver : HostResolver
    {
        int asked;

        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
            => Task.FromResult(host == "hooks.rebinding.test"
                ? [Interlocked.Increment(ref asked) == 1 ? IPAddress.Parse("93.184.216.34") : IPAddress.Loopback]
                : Array.Empty<IPAddress>());
    }

    readonly TestApp app = new(null, null, services => services.AddSingleton<HostResolver>(new RebindingResolver()));

    public Task InitializeAsync() => app.InitializeAsync();

    Task IAsyncLifetime.DisposeAsync() => app.DisposeAsync().AsTask();

    [Fact]
    public async Task Addresses_inside_the_network_are_refused_at_registration()
    {
        string[] refused =
        [
            "http://93.184.216.34/hook", "https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::ffff:127.0.0.1]/hook",
            "https://127.0.0.1/hook", "https://[::1]/hook", "https://0.0.0.0/hook", "https://100.64.0.1/hook", "https://198.18.0.1/hook",
            "https://172.16.5.4/hook", "https://192.168.1.1/hook", "https://224.0.0.1/hook", "https://[fd00::1]/hook", "https://[fe80::1]/hook",
            "https://[64:ff9b::a00:1]/hook", "https://[2002:c0a8:101::1]/hook", "https://[::7f00:1]/hook", "https://[ff02::1]/hook",
            "https://93.184.216.34:8443/hook", "https://user:secret@93.184.216.34/hook", "https://nowhere.invalid/hook",
        ];
        foreach (var url in refused)
        {
            var response = await app.Admin().PostAsJsonAsync("/api/webhooks", new { url, events = new[] { "letter.closed" } });
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, url);
            Assert.Equal(["url"], await response.ProblemAsync(400));
        }
        var accepted = await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = "https://[2606:2800:220:1::1]/hook", events = new[] { "letter.closed" } });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }

    [Fact]
    public async Task A_host_that_turns_into_loopback_after_registration_is_refused_at_delivery()
    {
        var created = await app.Admin().PostAsJsonAsync("/api/webhooks", new { url = "https://hooks.rebinding.test/hook", events = new[] { "letter.closed" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (long)(await created.JsonAsync())["webhook"]!["id"]!;

        Assert.Equal(HttpStatusCode.Accepted, (await app.Admin().PostAsync($"/api/webhooks/{id}/ping", null)).StatusCode);
        await app.WaitForLogAsync(line => line.Contains("Webhook delivery") && line.Contains("failed:"));

        var delivery = (await (await app.Admin().GetAsync($"/api/webhooks/{id}/deliveries")).JsonAsync())["items"]![0]!;
        Assert.Equal("queued", (string)delivery["status"]!); // to be tried again, and checked again
        Assert.Null(delivery["statusCode"]);
        Assert.Contains("127.0.0.1, which is not a public internet address", (string)delivery["error"]!);
    }
}

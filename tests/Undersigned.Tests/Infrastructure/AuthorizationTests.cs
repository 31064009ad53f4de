using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using FastEndpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Undersigned.Tests.Infrastructure;

/// <summary>Walks every endpoint the app maps, so a new route cannot forget its key check.</summary>
public sealed class AuthorizationTests(TestApp app) : IClassFixture<TestApp>
{
    static readonly string[] PublicRoutes =
    [
        "GET /healthz", "GET /api/public/challenge", "GET /api/public/letters/{slug}", "GET /api/public/letters/{slug}/count", "GET /api/public/letters/{slug}/signatories",
        "POST /api/public/letters/{slug}/signatures", "POST /api/public/signatures/verify", "POST /api/public/signatures/withdraw",
        "GET /verify", "GET /withdraw", "POST /api/public/data-requests", "GET /privacy", "GET /widget.js", "GET /embed/{slug}",
        "GET /assets/{file}", "GET /letters/{slug}", "GET /letters/{slug}/card.png", "GET /readyz", "POST /api/sessions", "GET /console",
        "GET /api/public/letters/{slug}/timeline", "GET /api/public/letters/{slug}/timeline.csv",
        "GET /stop-sharing", "POST /api/public/signatures/stop-sharing", "GET /unsubscribe", "POST /unsubscribe",
    ];

    IEnumerable<(string Method, string Route, string Url, EndpointDefinition Definition)> Endpoints()
        => app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<EndpointDefinition>())
            .Where(d => d is not null)
            .Distinct()
            .SelectMany(d => d!.Routes.SelectMany(route => d.Verbs.Select(verb => (verb, route, Regex.Replace(route.Replace(@"{format:regex(^(md|html|pdf)\z)}", "md"), @"\{[^}]+\}", "1"), d!))));

    static HttpRequestMessage Request(string method, string url)
        => new(new HttpMethod(method), url) { Content = method is "GET" or "DELETE" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };

    [Fact]
    public void Only_the_public_routes_answer_without_a_key()
    {
        var anonymous = Endpoints().Where(e => e.Definition.AllowedRoles is null or { Count: 0 }).Select(e => $"{e.Method} {e.Route}");
        Assert.Equal(PublicRoutes.Order(), anonymous.Order());
    }

    [Fact]
    public async Task Every_keyed_route_refuses_a_missing_unknown_or_revoked_key()
    {
        var (revoked, revokedId) = await app.NewKeyAsync();
        await app.Admin().DeleteAsync($"/api/keys/{revokedId}");
        var keyed = Endpoints().Where(e => e.Definition.AllowedRoles is { Count: > 0 }).ToList();
        Assert.True(keyed.Count >= 11);

        foreach (var (method, _, url, _) in keyed)
        {
            foreach (var client in new[] { app.Anonymous(), app.WithKey("usk_not-a-real-key"), app.WithKey(revoked) })
            {
                var response = await client.SendAsync(Request(method, url));
                Assert.True(401 == (int)response.StatusCode, $"{method} {url} answered {(int)response.StatusCode}");
                await response.ProblemAsync(401);
            }
        }
    }

    [Fact]
    public async Task Every_admin_route_refuses_a_staff_key()
    {
        var staff = await app.StaffAsync();
        var adminOnly = Endpoints().Where(e => e.Definition.AllowedRoles is { Count: > 0 } roles && !roles.Contains("staff")).ToList();
        Assert.Contains(adminOnly, e => e.Definition.Routes[0] == "/api/keys");

        foreach (var (method, _, url, _) in adminOnly)
        {
            var response = await staff.SendAsync(Request(method, url));
            Assert.True(403 == (int)response.StatusCode, $"{method} {url} answered {(int)response.StatusCode}");
            await response.ProblemAsync(403);
        }
    }

    [Fact]
    public async Task Every_staff_and_admin_route_refuses_a_partner_key_and_partner_routes_refuse_staff()
    {
        var partner = await (await app.Admin().PostAsJsonAsync("/api/partners", new { name = "Partner", code = "partner" })).JsonAsync();
        var created = await (await app.Admin().PostAsJsonAsync("/api/keys", new { name = "partner key", role = "partner", partnerId = partner["id"] })).JsonAsync();
        var partnerKey = app.WithKey((string)created["secret"]!);
        var staff = await app.StaffAsync();
        var keyed = Endpoints().Where(e => e.Definition.AllowedRoles is { Count: > 0 }).ToList();
        var partnerRoutes = keyed.Where(e => e.Definition.AllowedRoles!.Contains("partner")).Select(e => $"{e.Method} {e.Route}").Order();
        Assert.Equal(["DELETE /api/sessions/current", "GET /api/me", "GET /api/partner/letters", "GET /api/partner/letters/{id:long}/export.csv", "GET /api/partner/letters/{id:long}/signatures",
                      "POST /api/partner/letters/{id:long}/signatures"],
            partnerRoutes);

        foreach (var (method, route, url, definition) in keyed)
        {
            var (client, refused) = definition.AllowedRoles!.Contains("partner")
                ? (definition.AllowedRoles!.Contains("staff") ? (null, null) : (staff, "staff"))
                : (partnerKey, "partner");
            if (client is null) continue;
            var response = await client.SendAsync(Request(method, url));
            Assert.True(403 == (int)response.StatusCode, $"{method} {url} answered {(int)response.StatusCode} to a {refused} key");
        }
    }

    [Fact]
    public async Task A_metrics_key_reads_metrics_and_readiness_and_every_other_keyed_route_refuses_it()
    {
        var created = await (await app.Admin().PostAsJsonAsync("/api/keys", new { name = "prometheus", role = "metrics" })).JsonAsync();
        var metrics = app.WithKey((string)created["secret"]!);
        foreach (var (method, _, url, _) in Endpoints().Where(e => e.Definition.AllowedRoles is { Count: > 0 }))
        {
            var response = await metrics.SendAsync(Request(method, url));
            Assert.True(403 == (int)response.StatusCode, $"{method} {url} answered {(int)response.StatusCode} to a metrics key");
        }
        Assert.Equal(HttpStatusCode.OK, (await metrics.GetAsync("/metrics")).StatusCode);
        Assert.NotNull((await (await metrics.GetAsync("/readyz")).JsonAsync())["reasons"]);
    }
}

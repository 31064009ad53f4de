using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Undersigned.Tests.Features.Sessions;

/// <summary>Keys exchanged for 8-hour session tokens: what the console signs in with.</summary>
public sealed class SessionsTests : IAsyncLifetime
{
    readonly TestApp app = new();
    public Task InitializeAsync() => app.InitializeAsync();
    public Task DisposeAsync() => app.DisposeAsync().AsTask();

    async Task<(string Token, JsonObject Session)> SignInAsync(string key)
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/sessions", new { key });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        return ((string)body["token"]!, body["session"]!.AsObject());
    }

    [Fact]
    public async Task A_key_becomes_a_session_that_acts_as_the_key_until_sign_out_and_is_stored_only_hashed()
    {
        var (secret, keyId) = await app.NewKeyAsync();
        var (token, session) = await SignInAsync(secret);
        Assert.StartsWith("uss_", token);
        Assert.Equal(keyId, (long)session["keyId"]!);
        Assert.Equal(app.Clock.GetUtcNow().AddHours(8), DateTimeOffset.Parse((string)session["expiresAt"]!));
        Assert.False(await app.StoresAsync(token));

        var client = app.WithKey(token);
        var me = await (await client.GetAsync("/api/me")).JsonAsync();
        Assert.Equal(("staff key", "staff", keyId, (long)session["id"]!), ((string)me["name"]!, (string)me["role"]!, (long)me["keyId"]!, (long)me["sessionId"]!));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/letters")).StatusCode);
        await (await client.GetAsync("/api/keys")).ProblemAsync(403); // the key's role, not more

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/sessions/current")).StatusCode);
        await (await client.GetAsync("/api/me")).ProblemAsync(401);
        // The key itself still works, and is not a session to sign out of.
        await (await app.WithKey(secret).DeleteAsync("/api/sessions/current")).ProblemAsync(409);
    }

    [Fact]
    public async Task Only_an_active_key_signs_in_and_the_form_names_the_field()
    {
        Assert.Equal(["key"], await (await app.Anonymous().PostAsJsonAsync("/api/sessions", new { })).ProblemAsync(400));
        Assert.Equal(["key"], await (await app.Anonymous().PostAsJsonAsync("/api/sessions", new { key = "usk_not-a-real-key" })).ProblemAsync(401));
        var (token, _) = await SignInAsync(TestApp.AdminKey);
        // A session token is not a key: a session cannot be stretched by exchanging it again.
        Assert.Equal(["key"], await (await app.Anonymous().PostAsJsonAsync("/api/sessions", new { key = token })).ProblemAsync(401));
    }

    [Fact]
    public async Task A_session_ends_after_8_hours_or_when_its_key_is_revoked()
    {
        var (first, firstId) = await app.NewKeyAsync();
        var (expiring, _) = await SignInAsync(first);
        app.Clock.Advance(TimeSpan.FromHours(8) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await app.WithKey(expiring).GetAsync("/api/me")).StatusCode);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await (await app.WithKey(expiring).GetAsync("/api/me")).ProblemAsync(401);

        var (live, _) = await SignInAsync(first);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/keys/{firstId}")).StatusCode);
        await (await app.WithKey(live).GetAsync("/api/me")).ProblemAsync(401);
    }

    [Fact]
    public async Task Staff_see_and_end_their_own_sessions_and_admins_anyone_s()
    {
        var (staffKey, staffId) = await app.NewKeyAsync();
        var (otherKey, _) = await app.NewKeyAsync();
        var (mine, mineSession) = await SignInAsync(staffKey);
        var (_, otherSession) = await SignInAsync(otherKey);
        var staff = app.WithKey(mine);

        var listed = (await (await staff.GetAsync("/api/sessions")).JsonAsync())["items"]!.AsArray();
        Assert.Equal([(long)mineSession["id"]!], listed.Select(s => (long)s!["id"]!));
        Assert.All(listed, s => Assert.Equal(staffId, (long)s!["keyId"]!));
        await (await staff.DeleteAsync($"/api/sessions/{otherSession["id"]}")).ProblemAsync(404);

        var all = (await (await app.Admin().GetAsync("/api/sessions")).JsonAsync())["items"]!.AsArray();
        Assert.Equal(2, all.Count);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Admin().DeleteAsync($"/api/sessions/{mineSession["id"]}")).StatusCode);
        await (await staff.GetAsync("/api/me")).ProblemAsync(401);
        var audit = await (await app.Admin().GetAsync("/api/audit")).Content.ReadAsStringAsync();
        Assert.Contains("session.create", audit);
        Assert.Contains("session.revoke", audit);
    }

    [Fact]
    public async Task Markdown_previews_through_the_public_letter_s_sanitiser()
    {
        var staff = await app.StaffAsync();
        var preview = await (await staff.PostAsJsonAsync("/api/markdown/preview",
            new { body = "We ask you to **act**.\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1))" })).JsonAsync();
        var html = (string)preview["html"]!;
        Assert.Contains("<strong>act</strong>", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("javascript:", html);
        Assert.Equal(["body"], await (await staff.PostAsJsonAsync("/api/markdown/preview", new { })).ProblemAsync(400));
        await (await app.Anonymous().PostAsJsonAsync("/api/markdown/preview", new { body = "x" })).ProblemAsync(401);
    }
}

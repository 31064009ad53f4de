using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MimeKit;

namespace Undersigned.Tests.Features.Signing;

/// <summary>What a signer does: fill the form, read the email, open its links.</summary>
public static partial class Signer
{
    public static JsonObject Individual(string email, string name = "Jane Roe", string? role = null, string? organisation = null, bool showName = true) => new()
    {
        ["kind"] = "individual", ["name"] = name, ["role"] = role, ["organisation"] = organisation,
        ["email"] = email, ["showName"] = showName, ["consent"] = true, ["textVersion"] = 1,
    };

    public static JsonObject Organisation(string email, string organisation, string contact = "Sam Contact", string? role = "Director") => new()
    {
        ["kind"] = "organisation", ["name"] = contact, ["role"] = role, ["organisation"] = organisation,
        ["email"] = email, ["showName"] = true, ["consent"] = true, ["textVersion"] = 1,
    };

    public static Task<HttpResponseMessage> SignAsync(this HttpClient client, JsonObject letter, JsonObject signature)
        => client.PostAsJsonAsync($"/api/public/letters/{letter["slug"]}/signatures", signature);

    [GeneratedRegex(@"/(?<page>verify|withdraw)#(?<token>\d+\.[A-Za-z0-9_-]{22})")]
    private static partial Regex Link();

    public static string TokenFrom(MimeMessage message, string page)
        => Link().Matches(message.TextBody).Single(m => m.Groups["page"].Value == page).Groups["token"].Value;

    public static Task<HttpResponseMessage> VerifyAsync(this HttpClient client, string token)
        => client.PostAsJsonAsync("/api/public/signatures/verify", new { token });

    public static Task<HttpResponseMessage> WithdrawAsync(this HttpClient client, string token)
        => client.PostAsJsonAsync("/api/public/signatures/withdraw", new { token });

    public static async Task<JsonArray> PublicSignatoriesAsync(this HttpClient client, JsonObject letter)
        => (await (await client.GetAsync($"/api/public/letters/{letter["slug"]}/signatories")).JsonAsync())["items"]!.AsArray();

    public static async Task<JsonObject> PublicLetterAsync(this HttpClient client, JsonObject letter)
        => await (await client.GetAsync($"/api/public/letters/{letter["slug"]}")).JsonAsync();
}

using System.Buffers.Text;
using System.Security.Cryptography;
using Undersigned.Domain.Webhooks;
using Undersigned.Infrastructure;

namespace Undersigned.Features.Webhooks;

/// <summary>A new endpoint secret, shown once: receivers key their HMAC with its text.</summary>
public sealed record WebhookWithSecret(WebhookRow Webhook, string Secret);

public static class WebhookSecret
{
    public static string New() => "whsec_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static Problem NotFound(HttpContext http) => Problems.Create(http, 404, "No webhook has this id.");
}

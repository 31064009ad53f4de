using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Undersigned.Infrastructure;

/// <summary>The base of links in emails and the widget: configured, or in Development the address the server listens on.</summary>
public sealed class PublicUrls(Settings settings, IServer server)
{
    public string Base => (settings.PublicBaseUrl is { Length: > 0 } configured ? configured
        : server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080").TrimEnd('/');

    string? origin;
    /// <summary>The origin of <see cref="Base"/>, worked out once: the signing path compares every browser's Origin with it.</summary>
    public string? Origin => origin ??= Infrastructure.Origin.Of(Base);
}

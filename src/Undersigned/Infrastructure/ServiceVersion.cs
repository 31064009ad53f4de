using System.Reflection;

namespace Undersigned.Infrastructure;

/// <summary>Which build is running: the version and the commit it was built from (from the SDK's informational version).</summary>
public static class ServiceVersion
{
    static readonly string Informational = typeof(ServiceVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => Informational.Split('+')[0];

    /// <summary>The git commit, where the build had one (a build from an archive has none).</summary>
    public static string? Commit => Informational.Split('+') is [_, var commit, ..] ? commit : null;
}

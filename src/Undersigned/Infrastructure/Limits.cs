namespace Undersigned.Infrastructure;

public static class Limits
{
    public const long MaxRequestBody = 256 * 1024;
}

/// <summary>Configuration the service cannot start with: one line naming the setting, exit code 1, no stack trace.</summary>
public sealed class StartupException(string message) : Exception(message);

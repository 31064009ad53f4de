using System.Data.Common;
using System.Net.Sockets;

namespace Undersigned.Infrastructure;

public static class Transient
{
    /// <summary>Errors of the world outside (the database, the network, a timeout), which a loop or a request outlives; anything else is a bug.</summary>
    public static bool Is(Exception e) => e switch
    {
        DatabaseUnavailableException or DbException or IOException or SocketException or TimeoutException or HttpRequestException
            or MailKit.ServiceNotConnectedException or MailKit.Net.Smtp.SmtpProtocolException => true,
        OperationCanceledException => false,
        AggregateException aggregate => aggregate.InnerExceptions.All(Is),
        _ => e.InnerException is { } inner && Is(inner),
    };
}

/// <summary>The database did not answer, so nothing was stored: the request may be sent again (503 with Retry-After).</summary>
public sealed class DatabaseUnavailableException(Exception inner) : Exception("The database did not answer.", inner);

using System.Threading.Channels;
using Undersigned.Domain.Outbox;

namespace Undersigned.Services.Mail;

/// <summary>Wakes the sender when new mail is committed, instead of it polling.</summary>
public sealed class OutboxSignal
{
    readonly Channel<bool> channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public OutboxSignal(OutboxStore outbox) => outbox.Queued += Notify;

    public void Notify() => channel.Writer.TryWrite(true);

    public async Task WaitAsync(CancellationToken ct)
    {
        await channel.Reader.WaitToReadAsync(ct);
        channel.Reader.TryRead(out _);
    }
}

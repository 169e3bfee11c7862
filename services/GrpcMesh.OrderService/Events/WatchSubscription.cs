using System.Threading.Channels;
using GrpcMesh.OrderService.Domain;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// One WatchOrders call's live feed from <see cref="OrderEventHub"/>: the events matching its filter, in sequence order,
/// in a bounded buffer. When the buffer is full the hub cuts the subscription off instead of waiting or growing.
/// </summary>
public sealed class WatchSubscription
{
    private readonly Channel<OrderEvent> _events;
    private volatile bool _cutOff;

    internal WatchSubscription(string? userId, int capacity)
    {
        UserId = userId;
        _events = Channel.CreateBounded<OrderEvent>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true, // the hub publishes under its lock
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails instead of dropping silently
        });
    }

    /// <summary>Only this user's events; null for all users.</summary>
    public string? UserId { get; }

    public ChannelReader<OrderEvent> Events => _events.Reader;

    /// <summary>True once the subscriber fell more than the buffer behind; nothing more is delivered to it.</summary>
    public bool IsCutOff => _cutOff;

    internal bool Matches(OrderEvent orderEvent) => UserId is null || orderEvent.Order.UserId == UserId;

    /// <summary>Buffers the event; false (and cut off) when the buffer is full.</summary>
    internal bool TryPublish(OrderEvent orderEvent)
    {
        if (_events.Writer.TryWrite(orderEvent))
        {
            return true;
        }

        _cutOff = true;
        _events.Writer.TryComplete();
        return false;
    }

    /// <summary>Ends the feed (host stopping); the reader sees the channel complete.</summary>
    internal void Complete() => _events.Writer.TryComplete();
}

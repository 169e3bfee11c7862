using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.ServiceDefaults.Errors;
using Microsoft.Extensions.Options;
using GrpcStatus = Google.Rpc.Status;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// One WatchOrders call: the backlog after the requested sequence straight from the outbox (page by page, nothing held in
/// memory), then live events from <see cref="OrderEventHub"/>. The hand-over is gapless: the subscription starts at the hub's
/// watermark W (all events up to W are final), the backlog is read up to W, live events are above W.
/// Ends when the client cancels (returns), when the subscriber falls too far behind (RESOURCE_EXHAUSTED) or when the host
/// stops (UNAVAILABLE); both statuses tell the client the <c>after_sequence</c> to resume with.
/// </summary>
public sealed partial class OrderWatchStream(
    OrderEventHub hub,
    IOrderStore store,
    IOptions<WatchOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OrderWatchStream> logger)
{
    public const string CutOffReason = "WATCH_SUBSCRIBER_TOO_SLOW";
    public const string ResumeMetadataKey = "resume_after_sequence";

    /// <param name="write">Sends one event to the client; completes when the transport took it.</param>
    public async Task RunAsync(string? userId, long afterSequence, Func<OrderEvent, Task> write, CancellationToken callCancelled)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, lifetime.ApplicationStopping);
        var cancellationToken = linked.Token;
        var lastSent = afterSequence;
        try
        {
            await hub.Ready.WaitAsync(cancellationToken);

            // Catch up without a subscription while far behind, so a long backlog never fills a live buffer.
            var position = afterSequence;
            while (hub.Watermark - position > options.Value.PageSize)
            {
                position = await CopyBacklogAsync(userId, position, hub.Watermark, Send, cancellationToken);
            }

            var (subscription, subscribedAfter) = hub.Subscribe(userId);
            LogSubscribed(logger, userId ?? "*", afterSequence, subscribedAfter);
            try
            {
                position = Math.Max(await CopyBacklogAsync(userId, position, subscribedAfter, Send, cancellationToken), subscribedAfter);
                while (await subscription.Events.WaitToReadAsync(cancellationToken))
                {
                    while (!subscription.IsCutOff && subscription.Events.TryRead(out var orderEvent))
                    {
                        if (orderEvent.Sequence > position)
                        {
                            await Send(orderEvent);
                        }
                    }

                    if (subscription.IsCutOff)
                    {
                        throw CutOff(lastSent);
                    }
                }

                // The hub completed the feed: it is stopping with the host.
                throw ShuttingDown(lastSent);
            }
            finally
            {
                hub.Unsubscribe(subscription);
            }
        }
        catch (OperationCanceledException) when (callCancelled.IsCancellationRequested)
        {
            LogClientGone(logger, userId ?? "*", lastSent);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw ShuttingDown(lastSent);
        }

        async Task Send(OrderEvent orderEvent)
        {
            await write(orderEvent);
            lastSent = orderEvent.Sequence;
        }
    }

    /// <summary>Sends the filter's events in (<paramref name="after"/>, <paramref name="through"/>]; returns <paramref name="through"/>.</summary>
    private async Task<long> CopyBacklogAsync(
        string? userId, long after, long through, Func<OrderEvent, Task> send, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        while (after < through)
        {
            var page = await store.ReadEventsAsync(after, through, userId, pageSize, cancellationToken);
            foreach (var orderEvent in page)
            {
                await send(orderEvent);
            }

            if (page.Count < pageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        return Math.Max(after, through);
    }

    private RpcException CutOff(long lastSent)
    {
        var max = options.Value.MaxBufferedEvents;
        LogCutOff(logger, max, lastSent);
        var status = new GrpcStatus
        {
            Code = (int)Code.ResourceExhausted,
            Message = $"this WatchOrders subscriber fell more than {max} events behind and was cut off; " +
                $"reconnect with after_sequence={lastSent} (the last event received) to resume without gaps",
        };
        status.Details.Add(Any.Pack(new ErrorInfo
        {
            Reason = CutOffReason,
            Domain = "grpcmesh.order.v1",
            Metadata = { [ResumeMetadataKey] = lastSent.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        }));
        return status.ToRpcException();
    }

    private static RpcException ShuttingDown(long lastSent) => RpcErrors.Unavailable(
        $"OrderService is shutting down; reconnect with after_sequence={lastSent} to resume without gaps");

    [LoggerMessage(EventId = 2210, Level = LogLevel.Debug, Message = "WatchOrders (user {UserId}) after {After}: live from {SubscribedAfter}")]
    private static partial void LogSubscribed(ILogger logger, string userId, long after, long subscribedAfter);

    [LoggerMessage(EventId = 2211, Level = LogLevel.Debug, Message = "WatchOrders (user {UserId}) ended by the client after sequence {LastSent}")]
    private static partial void LogClientGone(ILogger logger, string userId, long lastSent);

    [LoggerMessage(EventId = 2212, Level = LogLevel.Warning, Message = "WatchOrders subscriber cut off (more than {MaxBuffered} events behind) after sequence {LastSent}")]
    private static partial void LogCutOff(ILogger logger, int maxBuffered, long lastSent);
}

using Grpc.Core;
using GrpcMesh.Order.V1;

namespace GrpcMesh.OrderService.Tests.Support;

internal static class WatchReader
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The next <paramref name="count"/> events of the stream (fails the test if they do not come within 30 s, with the state of
    /// <paramref name="diagnose"/>'s event hubs and database when given).
    /// </summary>
    public static async Task<List<WatchOrdersResponse>> ReadAsync(
        AsyncServerStreamingCall<WatchOrdersResponse> call, int count, OrderServiceHarness? diagnose = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        var events = new List<WatchOrdersResponse>(count);
        try
        {
            while (events.Count < count)
            {
                Assert.True(await call.ResponseStream.MoveNext(timeout.Token), $"the stream ended after {events.Count} of {count} events");
                events.Add(call.ResponseStream.Current);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && timeout.IsCancellationRequested && diagnose is not null)
        {
            throw new TimeoutException($"received {events.Count} of {count} events in {Patience}: {await diagnose.DescribeEventsAsync()}", ex);
        }

        return events;
    }

    /// <summary>Reads until the stream fails; returns what arrived before and the failure.</summary>
    public static async Task<(List<WatchOrdersResponse> Events, RpcException Error)> ReadUntilErrorAsync(AsyncServerStreamingCall<WatchOrdersResponse> call)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        var events = new List<WatchOrdersResponse>();
        try
        {
            while (await call.ResponseStream.MoveNext(timeout.Token))
            {
                events.Add(call.ResponseStream.Current);
            }
        }
        catch (RpcException ex) when (!timeout.IsCancellationRequested)
        {
            return (events, ex);
        }

        Assert.Fail($"the stream ended without an error after {events.Count} events");
        throw new InvalidOperationException("unreachable");
    }
}

using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Events;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static GrpcMesh.OrderService.Tests.Support.WatchReader;

namespace GrpcMesh.OrderService.Tests.Contract;

public abstract class WatchOrdersContract(IOrderStorage storage) : OrderServiceContract(storage)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_FromZero_BacklogThenLiveEventsInSequenceOrder()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(1_000_00);
        var first = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        var second = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        using var call = harness.Orders.WatchOrders(new WatchOrdersRequest());

        var backlog = await ReadAsync(call, 4, harness);
        var third = (await harness.Orders.CreateOrderAsync(TestData.Order(userId))).Order;
        var live = await ReadAsync(call, 2, harness);

        var all = backlog.Concat(live).ToList();
        Assert.Equal(
            [(first.Id, OrderEventType.Created), (first.Id, OrderEventType.Confirmed), (second.Id, OrderEventType.Created),
             (second.Id, OrderEventType.Confirmed), (third.Id, OrderEventType.Created), (third.Id, OrderEventType.Confirmed)],
            all.Select(e => (e.Order.Id, e.Type)));
        Assert.Equal(await StoredSequencesAsync(harness), all.Select(e => e.Sequence));
        Assert.Equal(third, live[1].Order);
        Assert.Equal([OrderStatus.Pending, OrderStatus.Confirmed], live.Select(e => e.Order.Status));
        Assert.Equal(OrderServiceHarness.StartTime, live[1].EventTime.ToDateTimeOffset());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_UserFilter_OnlyThatUsersEventsBacklogAndLive()
    {
        await using var harness = await StartAsync();
        var alice = harness.Users.AddUser(1_000_00);
        var bob = harness.Users.AddUser(1_000_00);
        var aliceFirst = (await harness.Orders.CreateOrderAsync(TestData.Order(alice))).Order;
        await harness.Orders.CreateOrderAsync(TestData.Order(bob));
        using var call = harness.Orders.WatchOrders(new WatchOrdersRequest { UserId = alice });

        var backlog = await ReadAsync(call, 2, harness);
        await harness.Orders.CreateOrderAsync(TestData.Order(bob));
        var aliceSecond = (await harness.Orders.CreateOrderAsync(TestData.Order(alice))).Order;
        var live = await ReadAsync(call, 2, harness);

        Assert.Equal([aliceFirst.Id, aliceFirst.Id, aliceSecond.Id, aliceSecond.Id], backlog.Concat(live).Select(e => e.Order.Id));
        var aliceSequences = (await harness.Store.ReadEventsAsync(0, long.MaxValue, alice, 100, Ct)).Select(e => e.Sequence);
        Assert.Equal(aliceSequences, backlog.Concat(live).Select(e => e.Sequence));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_ResumeAfterDisconnect_NoGapsNoDuplicates()
    {
        await using var harness = await StartAsync();
        var userId = harness.Users.AddUser(1_000_00);
        for (var i = 0; i < 3; i++)
        {
            await harness.Orders.CreateOrderAsync(TestData.Order(userId));
        }

        List<WatchOrdersResponse> before;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            using var call = harness.Orders.WatchOrders(new WatchOrdersRequest(), cancellationToken: cts.Token);
            before = await ReadAsync(call, 3, harness);
            await cts.CancelAsync();
        }

        // Written while disconnected.
        for (var i = 0; i < 2; i++)
        {
            await harness.Orders.CreateOrderAsync(TestData.Order(userId));
        }

        using var resumed = harness.Orders.WatchOrders(new WatchOrdersRequest { AfterSequence = before[^1].Sequence });
        var after = await ReadAsync(resumed, 7, harness);

        Assert.Equal(await StoredSequencesAsync(harness), before.Concat(after).Select(e => e.Sequence));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_SubscriberTooSlow_CutOffWithResumePointWhileOthersContinue()
    {
        // A slow client stops reading; once the transport's buffers are full its server loop blocks, its 4-event buffer fills
        // and the hub cuts it off. Events are large so the transport fills after a few.
        await using var harness = await StartAsync(new Dictionary<string, string?> { ["Orders:Watch:MaxBufferedEvents"] = "4" });
        using var fast = harness.Orders.WatchOrders(new WatchOrdersRequest());
        using var slow = harness.Orders.WatchOrders(new WatchOrdersRequest());
        await StoreSeeding.StorePendingOrderAsync(harness, "usr_first");
        var sent = new List<long> { (await ReadAsync(fast, 1, harness))[0].Sequence };
        Assert.Equal(sent, (await ReadAsync(slow, 1, harness)).Select(e => e.Sequence));

        // One event at a time, each taken by the fast watcher before the next, until the slow one is dropped.
        for (var i = 0; i < 300 && harness.Hub.SubscriptionCount == 2; i++)
        {
            await StoreSeeding.StorePendingOrderAsync(harness, "usr_big", lines: 100);
            sent.Add((await ReadAsync(fast, 1, harness))[0].Sequence);
        }

        Assert.Equal(1, harness.Hub.SubscriptionCount);
        for (var i = 0; i < 3; i++)
        {
            await StoreSeeding.StorePendingOrderAsync(harness, "usr_after");
            sent.Add((await ReadAsync(fast, 1, harness))[0].Sequence);
        }

        var (received, error) = await ReadUntilErrorAsync(slow);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var lastReceived = received[^1].Sequence;
        Assert.Contains($"after_sequence={lastReceived}", error.Status.Detail, StringComparison.Ordinal);
        var info = error.GetRpcStatus()!.GetDetail<ErrorInfo>();
        Assert.Equal((OrderWatchStream.CutOffReason, lastReceived.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (info.Reason, info.Metadata[OrderWatchStream.ResumeMetadataKey]));
        Assert.Equal(sent.Skip(1).Take(received.Count), received.Select(e => e.Sequence));
        Assert.True(received.Count < sent.Count - 1);

        using var resumed = harness.Orders.WatchOrders(new WatchOrdersRequest { AfterSequence = lastReceived });
        var rest = await ReadAsync(resumed, sent.Count - 1 - received.Count, harness);
        Assert.Equal(sent.Skip(1 + received.Count), rest.Select(e => e.Sequence));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_ConcurrentWriters_OneSubscriberGetsEveryEventInOrderWithoutGaps()
    {
        const int writers = 4, ordersEach = 10;
        await using var harness = await StartAsync();
        using var call = harness.Orders.WatchOrders(new WatchOrdersRequest());
        await StoreSeeding.StorePendingOrderAsync(harness, "usr_start");
        await ReadAsync(call, 1, harness);

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < ordersEach; i++)
            {
                await StoreSeeding.StorePendingOrderAsync(harness, $"usr_writer{w}");
            }
        })));
        var received = await ReadAsync(call, writers * ordersEach, harness);

        var stored = await StoredSequencesAsync(harness);
        Assert.Equal(stored.Skip(1), received.Select(e => e.Sequence));
        Assert.Equal(writers * ordersEach, received.Select(e => e.Order.Id).Distinct().Count());
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_ClientCancels_ServerLoopEndsAndSubscriptionIsRemoved()
    {
        await using var harness = await StartAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var call = harness.Orders.WatchOrders(new WatchOrdersRequest(), cancellationToken: cts.Token);
        await StoreSeeding.StorePendingOrderAsync(harness, "usr_cancel");
        await ReadAsync(call, 1, harness);
        Assert.Equal(1, harness.Hub.SubscriptionCount);

        await cts.CancelAsync();

        await Eventually.WaitAsync(() => harness.Hub.SubscriptionCount == 0, "the cancelled watcher's subscription is gone");
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_HostStopping_StreamEndsUnavailableWithResumePoint()
    {
        await using var harness = await StartAsync();
        using var call = harness.Orders.WatchOrders(new WatchOrdersRequest());
        await StoreSeeding.StorePendingOrderAsync(harness, "usr_stop");
        var last = (await ReadAsync(call, 1, harness))[0].Sequence;

        harness.Host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var (received, error) = await ReadUntilErrorAsync(call);

        Assert.Empty(received);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"after_sequence={last}", error.Status.Detail, StringComparison.Ordinal);
    }

    private static async Task<List<long>> StoredSequencesAsync(OrderServiceHarness harness) =>
        (await harness.Store.ReadEventsAsync(0, long.MaxValue, null, 10_000, Ct)).Select(e => e.Sequence).ToList();
}

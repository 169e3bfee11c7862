using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;
using GrpcMesh.OrderService.Saga;
using GrpcMesh.OrderService.Tests.Fakes;
using GrpcMesh.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.OrderService.Tests.Sqlite;

/// <summary>Meter GrpcMesh.Orders: saga outcomes as the sagas end, and the outbox lag of a watcher that does not read.</summary>
public sealed class OrderMetricsTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task SagaOutcomes_ConfirmedRefusedAndCompensated_EachCountedOnce()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());
        using var metrics = new OrderMeterListener(harness);
        var rich = harness.Users.AddUser(creditLimitMinor: 100_00);
        var poor = harness.Users.AddUser(creditLimitMinor: 10_00);

        await harness.Orders.CreateOrderAsync(TestData.Order(rich));
        await RpcAssert.ThrowsAsync(StatusCode.FailedPrecondition, () => harness.Orders.CreateOrderAsync(TestData.Order(poor)));
        harness.Users.ReserveFault = ReserveFault.UnavailableAfterReservingThenDown;
        await RpcAssert.ThrowsAsync(StatusCode.Unavailable, () => harness.Orders.CreateOrderAsync(TestData.Order(rich)));

        Assert.Equal(1, metrics.Outcomes("confirmed"));
        Assert.Equal(1, metrics.Outcomes("rejected"));
        Assert.Equal(1, metrics.Outcomes("compensation_pending"));
        Assert.Equal(0, metrics.Outcomes("compensated"));

        harness.Users.Down = false;
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new SweepResult(0, 1, 0), await harness.SweepAsync());
        Assert.Equal(1, metrics.Outcomes("compensated"));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task OutboxLag_WatcherNotReading_GrowsWithEachEventAndDropsOnceRead()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new SqliteOrderStorage());
        using var metrics = new OrderMeterListener(harness);
        await harness.Hub.Ready.WaitAsync(TestContext.Current.CancellationToken);
        var userId = harness.Users.AddUser(creditLimitMinor: 1_000_00);
        var (subscription, _) = harness.Hub.Subscribe(userId);
        try
        {
            Assert.Equal(0, metrics.Gauge("grpcmesh.order.outbox.lag"));
            Assert.Equal(1, metrics.Gauge("grpcmesh.order.watchers"));

            // Each confirmed order writes two events (CREATED, CONFIRMED); the watcher reads none of them.
            for (var i = 0; i < 3; i++)
            {
                await harness.Orders.CreateOrderAsync(TestData.Order(userId));
            }

            await Eventually.WaitAsync(() => metrics.Gauge("grpcmesh.order.outbox.lag") == 6, "the lag to reach the 6 unread events");
            var sequence = metrics.Gauge("grpcmesh.order.outbox.sequence");
            Assert.True(sequence >= 6, $"outbox sequence {sequence}");

            while (subscription.Events.TryRead(out _))
            {
            }

            Assert.Equal(0, metrics.Gauge("grpcmesh.order.outbox.lag"));
        }
        finally
        {
            harness.Hub.Unsubscribe(subscription);
        }

        Assert.Equal(0, metrics.Gauge("grpcmesh.order.watchers"));
    }

    /// <summary>The host's GrpcMesh.Orders meter (counters and gauges, int or long).</summary>
    private sealed class OrderMeterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<(string Name, long Value, string? Outcome)> _measurements = new();
        private readonly Lock _lock = new();

        public OrderMeterListener(OrderServiceHarness harness)
        {
            var meter = harness.Host.Services.GetRequiredService<IMeterFactory>().Create(OrderMetrics.MeterName);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument.Name, value, tags));
            _listener.Start();
        }

        public long Outcomes(string outcome) =>
            _measurements.Where(m => m.Name == "grpcmesh.order.saga.outcomes" && m.Outcome == outcome).Sum(m => m.Value);

        /// <summary>Reads the gauges now: the value of <paramref name="name"/>.</summary>
        public long Gauge(string name)
        {
            lock (_lock)
            {
                var before = _measurements.Count;
                _listener.RecordObservableInstruments();
                return _measurements.Skip(before).Single(m => m.Name == name).Value;
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            _measurements.Enqueue((name, value, outcome));
        }
    }
}

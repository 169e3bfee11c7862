using System.Diagnostics;
using System.Diagnostics.Metrics;
using GrpcMesh.OrderService.Events;

namespace GrpcMesh.OrderService.Saga;

/// <summary>
/// Meter <c>GrpcMesh.Orders</c>. Counter <c>grpcmesh.order.saga.outcomes</c> (outcome = confirmed | rejected —
/// refused, nothing reserved | compensation_pending — a release of credit scheduled: the reservation's outcome was
/// unknown, the saga was interrupted, or the order was cancelled | compensated — the release completed). Gauges
/// <c>grpcmesh.order.outbox.sequence</c> (the newest event sequence the event hub published),
/// <c>grpcmesh.order.outbox.lag</c> (events published but not yet taken by the slowest live WatchOrders watcher) and
/// <c>grpcmesh.order.watchers</c> (live watchers).
/// </summary>
public sealed class OrderMetrics
{
    public const string MeterName = "GrpcMesh.Orders";

    private readonly Counter<long> _outcomes;

    public OrderMetrics(IMeterFactory meterFactory, OrderEventHub hub)
    {
        var meter = meterFactory.Create(MeterName);
        _outcomes = meter.CreateCounter<long>("grpcmesh.order.saga.outcomes", "{saga}", "CreateOrder saga outcomes and credit compensations.");
        meter.CreateObservableGauge("grpcmesh.order.outbox.sequence", () => hub.Watermark, "{event}", "Newest order event sequence published to watchers.");
        meter.CreateObservableGauge("grpcmesh.order.outbox.lag", () => hub.SlowestWatcherLag, "{event}",
            "Order events published but not yet taken by the slowest live WatchOrders watcher.");
        meter.CreateObservableGauge("grpcmesh.order.watchers", () => hub.SubscriptionCount, "{watcher}", "Live WatchOrders watchers.");
    }

    public void Confirmed() => Add("confirmed");

    public void Rejected() => Add("rejected");

    public void CompensationPending() => Add("compensation_pending");

    public void Compensated() => Add("compensated");

    private void Add(string outcome)
    {
        if (_outcomes.Enabled)
        {
            _outcomes.Add(1, new TagList { { "outcome", outcome } });
        }
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace GrpcMesh.Clients.Telemetry;

/// <summary>
/// Metrics of the GrpcMesh client pipeline. Subscribe with <c>AddMeter(GrpcMeshClientTelemetry.MeterName)</c>.
/// Counters: <c>grpcmesh.client.retries</c> (target, method, code), <c>grpcmesh.client.retry_budget_exhausted</c>
/// (target, method), <c>grpcmesh.client.breaker.state_changes</c> (target, state),
/// <c>grpcmesh.client.breaker.rejections</c> (target, method), <c>grpcmesh.client.deadline.fail_fast</c> (target, method).
/// </summary>
public sealed class GrpcMeshClientTelemetry : IDisposable
{
    public const string MeterName = "GrpcMesh.Clients";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _budgetExhausted;
    private readonly Counter<long> _breakerStateChanges;
    private readonly Counter<long> _breakerRejections;
    private readonly Counter<long> _deadlineFailFast;

    public GrpcMeshClientTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _retries = _meter.CreateCounter<long>("grpcmesh.client.retries", "{retry}", "Retry attempts started, by the status that caused them.");
        _budgetExhausted = _meter.CreateCounter<long>("grpcmesh.client.retry_budget_exhausted", "{call}", "Retries refused because the target's retry budget was empty.");
        _breakerStateChanges = _meter.CreateCounter<long>("grpcmesh.client.breaker.state_changes", "{change}", "Circuit breaker transitions, by new state.");
        _breakerRejections = _meter.CreateCounter<long>("grpcmesh.client.breaker.rejections", "{call}", "Calls refused without a request because the circuit was open.");
        _deadlineFailFast = _meter.CreateCounter<long>("grpcmesh.client.deadline.fail_fast", "{call}", "Calls failed before sending because their deadline had already passed.");
    }

    /// <summary>The meter the counters belong to (one per <see cref="IMeterFactory"/>).</summary>
    public Meter Meter => _meter;

    internal void Retry(string target, string method, StatusCode code)
    {
        if (_retries.Enabled)
        {
            _retries.Add(1, new TagList { { "target", target }, { "method", method }, { "code", code.ToString() } });
        }
    }

    internal void RetryBudgetExhausted(string target, string method) => Add(_budgetExhausted, target, method);

    internal void BreakerRejection(string target, string method) => Add(_breakerRejections, target, method);

    internal void DeadlineFailFast(string target, string method) => Add(_deadlineFailFast, target, method);

    internal void BreakerStateChange(string target, string state)
    {
        if (_breakerStateChanges.Enabled)
        {
            _breakerStateChanges.Add(1, new TagList { { "target", target }, { "state", state } });
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static void Add(Counter<long> counter, string target, string method)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new TagList { { "target", target }, { "method", method } });
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;
using GrpcMesh.Clients.Balancing;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Statuses;
using Polly.CircuitBreaker;

namespace GrpcMesh.Clients.Telemetry;

/// <summary>
/// Metrics of the GrpcMesh client pipeline. Subscribe with <c>AddMeter(GrpcMeshClientTelemetry.MeterName)</c>.
/// Counters: <c>grpcmesh.client.retries</c> (target, method, code), <c>grpcmesh.client.retry_budget_exhausted</c>
/// (target, method), <c>grpcmesh.client.breaker.state_changes</c> (target, state),
/// <c>grpcmesh.client.breaker.rejections</c> (target, method), <c>grpcmesh.client.deadline.fail_fast</c> (target, method);
/// gauge <c>grpcmesh.client.breaker.state</c> (target, state = closed | open | half_open | isolated; 1 for the breaker's
/// current state, 0 for the others).
/// Balanced targets (<c>dns:///</c>, <c>static:///</c>): gauge <c>grpcmesh.client.endpoint.state</c> (target, endpoint,
/// state = ready | ejected | unavailable; 1 for the endpoint's current state, 0 for the others), counters
/// <c>grpcmesh.client.endpoint.attempts</c> (target, endpoint, outcome = success | failure | cancelled; failure =
/// UNAVAILABLE or DEADLINE_EXCEEDED) and
/// <c>grpcmesh.client.endpoint.ejections</c> (target, endpoint, reason = failures | health).
/// </summary>
public sealed class GrpcMeshClientTelemetry : IDisposable
{
    public const string MeterName = "GrpcMesh.Clients";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _budgetExhausted;
    private readonly Counter<long> _hedges;
    private readonly Counter<long> _breakerStateChanges;
    private readonly Counter<long> _breakerRejections;
    private readonly Counter<long> _deadlineFailFast;
    private readonly Counter<long> _endpointAttempts;
    private readonly Counter<long> _endpointEjections;
    private readonly ConcurrentDictionary<EndpointTable, byte> _tables = new();
    private readonly ConcurrentDictionary<CircuitBreaker, byte> _breakers = new();

    public GrpcMeshClientTelemetry(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _retries = _meter.CreateCounter<long>("grpcmesh.client.retries", "{retry}", "Retry attempts started, by the status that caused them.");
        _hedges = _meter.CreateCounter<long>("grpcmesh.client.hedges", "{attempt}", "Hedged attempts sent (beyond each call's first), by why: delay or failure.");
        _budgetExhausted = _meter.CreateCounter<long>("grpcmesh.client.retry_budget_exhausted", "{call}", "Retries refused because the target's retry budget was empty.");
        _breakerStateChanges = _meter.CreateCounter<long>("grpcmesh.client.breaker.state_changes", "{change}", "Circuit breaker transitions, by new state.");
        _breakerRejections = _meter.CreateCounter<long>("grpcmesh.client.breaker.rejections", "{call}", "Calls refused without a request because the circuit was open.");
        _deadlineFailFast = _meter.CreateCounter<long>("grpcmesh.client.deadline.fail_fast", "{call}", "Calls failed before sending because their deadline had already passed.");
        _endpointAttempts = _meter.CreateCounter<long>("grpcmesh.client.endpoint.attempts", "{attempt}", "Attempts sent to each endpoint of a balanced target, by outcome.");
        _endpointEjections = _meter.CreateCounter<long>("grpcmesh.client.endpoint.ejections", "{ejection}", "Endpoints taken out of rotation, by reason.");
        _meter.CreateObservableGauge("grpcmesh.client.endpoint.state", ObserveEndpoints, "{endpoint}",
            "State of each endpoint of a balanced target: 1 for its current state (ready, ejected, unavailable), 0 for the others.");
        _meter.CreateObservableGauge("grpcmesh.client.breaker.state", ObserveBreakers, "{breaker}",
            "State of each target's circuit breaker: 1 for its current state (closed, open, half_open, isolated), 0 for the others.");
    }

    /// <summary>The meter the counters belong to (one per <see cref="IMeterFactory"/>).</summary>
    public Meter Meter => _meter;

    internal void Hedge(string target, string method, string reason)
    {
        if (_hedges.Enabled)
        {
            _hedges.Add(1, new TagList { { "target", target }, { "method", method }, { "reason", reason } });
        }
    }

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

    internal void Track(EndpointTable table) => _tables.TryAdd(table, 0);

    /// <summary>Reports <paramref name="breaker"/>'s state from now on (breakers live as long as their registry, the application).</summary>
    internal void Track(CircuitBreaker breaker) => _breakers.TryAdd(breaker, 0);

    internal void Untrack(EndpointTable table) => _tables.TryRemove(table, out _);

    internal void EndpointAttempt(string target, string endpoint, StatusKind kind)
    {
        if (_endpointAttempts.Enabled)
        {
            _endpointAttempts.Add(1, new TagList { { "target", target }, { "endpoint", endpoint }, { "outcome", OutcomeTag(kind) } });
        }
    }

    internal void EndpointEjected(string target, string endpoint, string reason)
    {
        if (_endpointEjections.Enabled)
        {
            _endpointEjections.Add(1, new TagList { { "target", target }, { "endpoint", endpoint }, { "reason", reason } });
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

    /// <summary>success (the endpoint answered), failure (an endpoint failure: unavailable or too slow) or cancelled.</summary>
    private static string OutcomeTag(StatusKind kind) =>
        !StatusTaxonomy.IsEndpointOutcome(kind) ? "cancelled"
        : StatusTaxonomy.IsEndpointFailure(kind) ? "failure"
        : "success";

    private static readonly (CircuitState State, string Name)[] BreakerStates =
        [(CircuitState.Closed, "closed"), (CircuitState.Open, "open"), (CircuitState.HalfOpen, "half_open"), (CircuitState.Isolated, "isolated")];

    private IEnumerable<Measurement<int>> ObserveBreakers()
    {
        foreach (var breaker in _breakers.Keys)
        {
            var current = breaker.State;
            foreach (var (state, name) in BreakerStates)
            {
                yield return new Measurement<int>(state == current ? 1 : 0,
                    new KeyValuePair<string, object?>("target", breaker.Target),
                    new KeyValuePair<string, object?>("state", name));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveEndpoints()
    {
        foreach (var table in _tables.Keys)
        {
            foreach (var (endpoint, state) in table.States())
            {
                foreach (var candidate in EndpointStates.All)
                {
                    yield return new Measurement<int>(candidate == state ? 1 : 0,
                        new KeyValuePair<string, object?>("target", table.Target),
                        new KeyValuePair<string, object?>("endpoint", endpoint),
                        new KeyValuePair<string, object?>("state", candidate));
                }
            }
        }
    }
}

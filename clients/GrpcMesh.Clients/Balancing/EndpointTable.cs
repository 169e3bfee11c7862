using System.Collections.Concurrent;
using Grpc.Core;
using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.Clients.Telemetry;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// The endpoints of one balanced target (e.g. <c>static:///a:1,b:2</c>) and their ejection state, shared by every channel
/// to that target. Fed by the resolver (endpoint set), the subchannels (connectivity), the outcome of each attempt and the
/// health monitor; read by the picker. Outlier ejection: <see cref="GrpcMeshOutlierEjectionOptions.ConsecutiveFailures"/>
/// failures in a row eject an endpoint for BaseEjectionTime × 2^(level−1), capped, where the level rises with each
/// ejection and falls by one for each BaseEjectionTime spent admitted since the last one ended; at most MaxEjectionPercent
/// of the connected endpoints are ejected at once. Health is separate: an endpoint whose health service says it is not
/// serving is out of rotation until it says SERVING, whatever the cap (<see cref="EndpointRotation"/> says what is used
/// when everything is out).
/// </summary>
internal sealed class EndpointTable : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, EndpointState> _states = new(StringComparer.OrdinalIgnoreCase);
    private readonly GrpcMeshOutlierEjectionOptions _ejection;
    private readonly TimeProvider _time;
    private readonly GrpcMeshClientTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly HealthMonitor? _health;
    private EndpointState[] _endpoints = [];
    private int _version;

    public EndpointTable(
        string target,
        GrpcMeshOutlierEjectionOptions ejection,
        TimeProvider time,
        GrpcMeshClientTelemetry telemetry,
        ILogger logger,
        Func<EndpointTable, HealthMonitor>? healthMonitor = null,
        GrpcMeshLoadBalancingOptions? balancing = null)
    {
        Target = target;
        LeastLoaded = balancing?.Policy == GrpcMeshLoadBalancingOptions.LeastLoaded;
        LatencyDecayTicks = (balancing ?? new GrpcMeshLoadBalancingOptions()).LatencyDecay.Ticks;
        _ejection = ejection;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _health = healthMonitor?.Invoke(this);
        telemetry.Track(this);
    }

    public string Target { get; }

    /// <summary><c>least_loaded</c>: attempts are tracked per endpoint (<see cref="EndpointLoad"/>) and the picker compares their load.</summary>
    public bool LeastLoaded { get; }

    /// <summary>Time constant of the endpoints' latency averages (<c>LoadBalancing:LatencyDecay</c>).</summary>
    public long LatencyDecayTicks { get; }

    /// <summary>The load tracker of <paramref name="endpoint"/> under <c>least_loaded</c>; null otherwise or when the endpoint is unknown.</summary>
    public EndpointLoad? LoadOf(string endpoint) => LeastLoaded && _states.TryGetValue(endpoint, out var state) ? state.Load : null;

    /// <summary>Changes whenever an endpoint is ejected or re-admitted other than by its ejection time running out.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The endpoints the resolver returned last.</summary>
    public IReadOnlyList<EndpointState> Endpoints => Volatile.Read(ref _endpoints);

    /// <summary>The trail of the current call's attempts (set by the retry interceptor, read by the picker).</summary>
    public AsyncLocal<AttemptTrail?> Trail { get; } = new();

    public long NowTicks => _time.GetUtcNow().UtcTicks;

    /// <summary>The clock of ejections and attempt timings.</summary>
    public TimeProvider Time => _time;

    /// <summary>The state of <paramref name="endpoint"/> (<c>host:port</c>), created on first sight.</summary>
    public EndpointState Get(string endpoint) => _states.GetOrAdd(endpoint, static e => new EndpointState(e));

    /// <summary>Replaces the endpoint set with what the resolver returned; state of endpoints still present is kept.</summary>
    public void SetEndpoints(IEnumerable<string> endpoints)
    {
        EndpointState[] removed;
        lock (_lock)
        {
            var current = endpoints.Distinct(StringComparer.OrdinalIgnoreCase).Select(Get).ToArray();
            removed = _endpoints.Except(current).ToArray();
            foreach (var gone in removed)
            {
                _states.TryRemove(gone.Endpoint, out _);
            }

            Volatile.Write(ref _endpoints, current);
            Interlocked.Increment(ref _version);
        }

        _health?.Watch([.. Endpoints.Select(e => e.Endpoint)]);
    }

    public void SetConnectivity(string endpoint, ConnectivityState state)
    {
        if (_states.TryGetValue(endpoint, out var known))
        {
            known.SetConnectivity(state);
        }
    }

    /// <summary>
    /// Records how one attempt sent to <paramref name="endpoint"/> ended (<see cref="StatusTaxonomy.IsEndpointFailure"/>:
    /// UNAVAILABLE or a timeout); ejects it after enough failures in a row. Outcomes that say nothing about the endpoint
    /// (cancelled) neither count nor reset the count.
    /// </summary>
    public void ReportAttempt(string endpoint, StatusKind kind)
    {
        _telemetry.EndpointAttempt(Target, endpoint, kind);
        if (!StatusTaxonomy.IsEndpointOutcome(kind) || !_ejection.Enabled || !_states.TryGetValue(endpoint, out var state))
        {
            return;
        }

        if (!StatusTaxonomy.IsEndpointFailure(kind))
        {
            state.RecordSuccess();
            return;
        }

        if (state.RecordFailure() < _ejection.ConsecutiveFailures)
        {
            return;
        }

        lock (_lock)
        {
            TryEjectOutlier(state);
        }
    }

    /// <summary>
    /// Records what the endpoint's health service said: unhealthy takes it out of rotation at once and regardless of the
    /// ejection cap (the rotation's panic rule keeps calls flowing if every endpoint is out); healthy brings it back.
    /// </summary>
    public void ReportHealth(string endpoint, bool healthy)
    {
        if (!_states.TryGetValue(endpoint, out var state))
        {
            return;
        }

        lock (_lock)
        {
            if (state.IsHealthy == healthy)
            {
                return;
            }

            state.SetHealthy(healthy);
            Interlocked.Increment(ref _version);
            if (healthy)
            {
                ClientLog.EndpointHealthy(_logger, Target, endpoint);
            }
            else
            {
                _telemetry.EndpointEjected(Target, endpoint, "health");
                ClientLog.EndpointUnhealthy(_logger, Target, endpoint);
            }
        }
    }

    /// <summary><c>ready</c>, <c>ejected</c> or <c>unavailable</c> (not connected) for each endpoint, for the state gauge.</summary>
    public IEnumerable<(string Endpoint, string State)> States()
    {
        var now = NowTicks;
        foreach (var endpoint in Endpoints)
        {
            var state = !endpoint.IsAdmitted(now) ? EndpointStates.Ejected
                : endpoint.Connectivity == ConnectivityState.Ready ? EndpointStates.Ready
                : EndpointStates.Unavailable;
            yield return (endpoint.Endpoint, state);
        }
    }

    /// <summary>How many of <paramref name="total"/> connected endpoints may be ejected as outliers at once.</summary>
    public static int MaxEjectable(int total, int maxEjectionPercent)
    {
        if (total <= 1 || maxEjectionPercent <= 0)
        {
            return 0;
        }

        return Math.Clamp(total * maxEjectionPercent / 100, 1, total - 1);
    }

    public void Dispose()
    {
        _telemetry.Untrack(this);
        _health?.Dispose();
    }

    private void TryEjectOutlier(EndpointState state)
    {
        var now = NowTicks;
        if (state.EjectedUntilTicks > now || state.ConsecutiveFailures < _ejection.ConsecutiveFailures)
        {
            return; // already ejected by a concurrent failure, or a success came in between
        }

        if (!CanEjectOneMore(now))
        {
            ClientLog.EjectionCapped(_logger, Target, state.Endpoint, "consecutive failures");
            return;
        }

        var baseTicks = _ejection.BaseEjectionTime.Ticks;
        var lastEnd = state.EjectedUntilTicks;
        var decay = lastEnd == 0 ? state.EjectionLevel : (int)Math.Min(int.MaxValue, (now - lastEnd) / baseTicks);
        var level = Math.Max(0, state.EjectionLevel - decay) + 1;
        var duration = TimeSpan.FromTicks((long)Math.Min(_ejection.MaxEjectionTime.Ticks, baseTicks * Math.Pow(2, level - 1)));
        state.EjectionLevel = level;
        state.Eject(now + duration.Ticks);
        Interlocked.Increment(ref _version);
        _telemetry.EndpointEjected(Target, state.Endpoint, "failures");
        ClientLog.EndpointEjected(_logger, Target, state.Endpoint, _ejection.ConsecutiveFailures, duration.TotalMilliseconds, level);
    }

    /// <summary>
    /// Room under the cap, counting connected endpoints only: one that is down is already out of every picker, so it
    /// neither counts as ejected nor makes room for ejecting a connected one.
    /// </summary>
    private bool CanEjectOneMore(long now)
    {
        var connected = 0;
        var ejected = 0;
        foreach (var endpoint in Endpoints)
        {
            if (!endpoint.IsConnected)
            {
                continue;
            }

            connected++;
            if (endpoint.IsEjected(now))
            {
                ejected++;
            }
        }

        return ejected < MaxEjectable(connected, _ejection.MaxEjectionPercent);
    }
}

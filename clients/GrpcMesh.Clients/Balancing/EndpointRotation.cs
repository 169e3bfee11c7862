namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// Round robin (or, for <c>least_loaded</c>, power of two choices) over a fixed list of endpoints (the connected subchannels of one picker) that skips endpoints out of
/// rotation. Candidates, first tier that is not empty (Envoy's panic threshold at its simplest):
/// healthy and not ejected; else healthy (ejection is ignored rather than sending to an endpoint that says it is not
/// serving); else all of them (every endpoint unhealthy: calls still go somewhere rather than fail).
/// The candidate set is cached and rebuilt when the table's version changes or the earliest ejection runs out, so a
/// pick is an interlocked increment and two reads.
/// </summary>
internal sealed class EndpointRotation
{
    private readonly EndpointState[] _endpoints;
    private readonly EndpointTable _table;
    private readonly int[] _all;
    private Candidates _candidates;
    private int _next;

    public EndpointRotation(EndpointState[] endpoints, EndpointTable table, int start)
    {
        _endpoints = endpoints;
        _table = table;
        _all = Enumerable.Range(0, endpoints.Length).ToArray();
        _next = start;
        _candidates = new Candidates([], int.MinValue, long.MinValue);
    }

    public EndpointState this[int index] => _endpoints[index];

    /// <summary>
    /// Index of the next endpoint in rotation. A retry passes the endpoint of its previous attempt as
    /// <paramref name="avoid"/>: when it comes up and another candidate exists, the next one is taken instead.
    /// </summary>
    public int Next(long nowTicks, EndpointState? avoid)
    {
        var indices = CandidatesAt(nowTicks);
        var count = (uint)indices.Length;
        var slot = (uint)Interlocked.Increment(ref _next) % count;
        var index = indices[slot];
        if (avoid is not null && count > 1 && ReferenceEquals(_endpoints[index], avoid))
        {
            index = indices[(slot + 1) % count];
        }

        return index;
    }

    /// <summary>
    /// <c>least_loaded</c>: the cheaper (<see cref="EndpointLoad.Cost"/>) of two different candidates drawn at random; a
    /// retry takes the other one when its previous endpoint <paramref name="avoid"/> is drawn.
    /// </summary>
    public int NextLeastLoaded(long nowTicks, EndpointState? avoid)
    {
        var indices = CandidatesAt(nowTicks);
        if (indices.Length == 1)
        {
            return indices[0];
        }

        var first = Random.Shared.Next(indices.Length);
        var a = indices[first];
        var b = indices[(first + 1 + Random.Shared.Next(indices.Length - 1)) % indices.Length];
        if (avoid is not null)
        {
            if (ReferenceEquals(_endpoints[a], avoid))
            {
                return b;
            }

            if (ReferenceEquals(_endpoints[b], avoid))
            {
                return a;
            }
        }

        var decay = _table.LatencyDecayTicks;
        return _endpoints[a].Load.Cost(nowTicks, decay) <= _endpoints[b].Load.Cost(nowTicks, decay) ? a : b;
    }

    private int[] CandidatesAt(long nowTicks)
    {
        var candidates = Volatile.Read(ref _candidates);
        if (candidates.Version != _table.Version || nowTicks >= candidates.ValidUntilTicks)
        {
            candidates = Build(nowTicks);
            Volatile.Write(ref _candidates, candidates);
        }

        return candidates.Indices;
    }

    private Candidates Build(long nowTicks)
    {
        var version = _table.Version;
        var admitted = new List<int>(_endpoints.Length);
        var healthy = new List<int>(_endpoints.Length);
        var validUntil = long.MaxValue;
        for (var i = 0; i < _endpoints.Length; i++)
        {
            var endpoint = _endpoints[i];
            if (!endpoint.IsHealthy)
            {
                continue;
            }

            healthy.Add(i);
            if (endpoint.IsEjected(nowTicks))
            {
                validUntil = Math.Min(validUntil, endpoint.EjectedUntilTicks);
            }
            else
            {
                admitted.Add(i);
            }
        }

        int[] indices = admitted.Count > 0 ? [.. admitted] : healthy.Count > 0 ? [.. healthy] : _all;
        return new Candidates(indices, version, validUntil);
    }

    private sealed record Candidates(int[] Indices, int Version, long ValidUntilTicks);
}

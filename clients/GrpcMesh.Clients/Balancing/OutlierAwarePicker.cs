using GrpcMesh.Clients.Target;
using Grpc.Net.Client.Balancer;

namespace GrpcMesh.Clients.Balancing;

/// <summary>Picks among the ready subchannels (round robin, or the less loaded of two for least_loaded), skipping ejected endpoints and, for a retry, the previous attempt's endpoint.</summary>
internal sealed class OutlierAwarePicker : SubchannelPicker
{
    private readonly Subchannel[] _subchannels;
    private readonly EndpointRotation _rotation;
    private readonly EndpointTable _table;

    public OutlierAwarePicker(IReadOnlyList<Subchannel> ready, EndpointTable table)
    {
        _subchannels = [.. ready];
        _table = table;
        var states = _subchannels.Select(s => table.Get(EndpointKey.Of((s.CurrentAddress ?? s.GetAddresses()[0]).EndPoint))).ToArray();
        _rotation = new EndpointRotation(states, table, Random.Shared.Next());
    }

    public override PickResult Pick(PickContext context)
    {
        var trail = _table.Trail.Value;
        var index = _table.LeastLoaded ? _rotation.NextLeastLoaded(_table.NowTicks, trail?.Last) : _rotation.Next(_table.NowTicks, trail?.Last);
        if (trail is not null)
        {
            trail.Last = _rotation[index];
        }

        return PickResult.ForSubchannel(_subchannels[index], null);
    }
}

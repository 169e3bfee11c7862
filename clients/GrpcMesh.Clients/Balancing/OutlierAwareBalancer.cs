using GrpcMesh.Clients.Target;
using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Clients.Balancing;

/// <summary>
/// grpc-dotnet's subchannel balancer (one subchannel per resolved address, reconnect with backoff, picker over the ready
/// ones) with an <see cref="OutlierAwarePicker"/>; reports the endpoint set and each subchannel's connectivity to the table.
/// </summary>
internal sealed class OutlierAwareBalancer(IChannelControlHelper controller, ILoggerFactory loggerFactory, EndpointTable table)
    : SubchannelsLoadBalancer(new ObservingController(controller, table), loggerFactory)
{
    public override void UpdateChannelState(ChannelState state)
    {
        if (state.Status.StatusCode == StatusCode.OK && state.Addresses is { Count: > 0 } addresses)
        {
            table.SetEndpoints(addresses.Select(a => EndpointKey.Of(a.EndPoint)));
        }

        base.UpdateChannelState(state);
    }

    protected override SubchannelPicker CreatePicker(IReadOnlyList<Subchannel> readySubchannels) => new OutlierAwarePicker(readySubchannels, table);

    private sealed class ObservingController(IChannelControlHelper inner, EndpointTable table) : IChannelControlHelper
    {
        public Subchannel CreateSubchannel(SubchannelOptions options)
        {
            var subchannel = inner.CreateSubchannel(options);
            var endpoint = EndpointKey.Of(options.Addresses[0].EndPoint);
            subchannel.OnStateChanged(s => table.SetConnectivity(endpoint, s.State));
            return subchannel;
        }

        public void UpdateState(BalancerState state) => inner.UpdateState(state);

        public void RefreshResolver() => inner.RefreshResolver();
    }
}

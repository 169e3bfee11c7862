using Grpc.Core;
using GrpcMesh.Clients.Context;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>An incoming server call for unit tests of deadline/cancellation inheritance and the cross-hop rule.</summary>
public sealed class FakeServerCallContext(DateTime deadline, CancellationToken cancellationToken, Metadata? requestHeaders = null) : ServerCallContext
{
    protected override string MethodCore => "/grpcmesh.order.v1.OrderService/CreateOrder";

    protected override string HostCore => "127.0.0.1";

    protected override string PeerCore => "ipv4:127.0.0.1:50000";

    protected override DateTime DeadlineCore => deadline;

    protected override Metadata RequestHeadersCore { get; } = requestHeaders ?? [];

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

/// <summary>An accessor that returns a fixed server call.</summary>
public sealed class FixedServerCallContextAccessor(ServerCallContext? context) : IServerCallContextAccessor
{
    public ServerCallContext? ServerCallContext => context;
}

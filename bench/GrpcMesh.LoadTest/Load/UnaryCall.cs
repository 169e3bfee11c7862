using Grpc.Core;

namespace GrpcMesh.LoadTest.Load;

/// <summary>One call of the scenario's RPC; <paramref name="sequence"/> picks the request (e.g. which user).</summary>
internal delegate Task UnaryCall(long sequence, CancellationToken cancellationToken);

/// <summary>Binds a scenario's RPC to one connection; called once per connection, not per call.</summary>
internal delegate UnaryCall CallFactory(CallInvoker invoker);

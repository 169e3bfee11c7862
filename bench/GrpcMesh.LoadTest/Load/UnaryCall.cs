using Grpc.Core;

namespace GrpcMesh.LoadTest.Load;

/// <summary>One call of the scenario's RPC; <paramref name="sequence"/> picks the request (e.g. which user).</summary>
internal delegate Task UnaryCall(long sequence, CancellationToken cancellationToken);

/// <summary>Binds a scenario's RPC to one connection; called once per connection, not per call.</summary>
internal delegate UnaryCall CallFactory(CallInvoker invoker);

/// <summary>
/// Sees each measured call of an open loop as it finishes: its sequence number, when it was sent (a
/// <see cref="System.Diagnostics.Stopwatch"/> timestamp), its latency from the due time in Stopwatch ticks, and how it failed (null: OK).
/// </summary>
internal delegate void CallObserver(long sequence, long sentTimestamp, long elapsedTicks, Exception? failure);

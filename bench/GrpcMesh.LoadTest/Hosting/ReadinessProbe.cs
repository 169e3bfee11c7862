using Grpc.Core;
using Grpc.Net.Client;

namespace GrpcMesh.LoadTest.Hosting;

/// <summary>
/// Waits until a gRPC server answers at all: a call to a method no server implements comes back UNIMPLEMENTED
/// once the server listens, and UNAVAILABLE before. Works for every scenario's server, whatever it serves.
/// </summary>
internal static class ReadinessProbe
{
    private static readonly Method<byte[], byte[]> ProbeMethod = new(
        MethodType.Unary, "grpcmesh.bench.v1.Probe", "Ready",
        Marshallers.Create(static b => b, static b => b),
        Marshallers.Create(static b => b, static b => b));

    public static async Task WaitAsync(Uri address, ServerProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var invoker = channel.CreateCallInvoker();
        var giveUp = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.Name} exited during start-up. Its last output:\n{process.RecentOutput}");
            }

            try
            {
                await invoker.AsyncUnaryCall(ProbeMethod, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken), [])
                    .ResponseAsync;
                return;
            }
            catch (RpcException ex) when (ex.StatusCode != StatusCode.Unavailable && ex.StatusCode != StatusCode.DeadlineExceeded)
            {
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < giveUp)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (RpcException ex)
            {
                throw new InvalidOperationException(
                    $"{process.Name} did not answer at {address} within {timeout.TotalSeconds:0}s ({ex.Status.Detail}). Its last output:\n{process.RecentOutput}");
            }
        }
    }
}

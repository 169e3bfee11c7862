using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace GrpcMesh.Launcher;

internal static class HealthWaiter
{
    /// <summary>Polls grpc.health.v1 Check("") until SERVING, the process exits, the timeout passes or the launcher is stopped.</summary>
    public static async Task<bool> WaitServingAsync(Uri address, ChildProcess process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Health.HealthClient(channel);
        var giveUp = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < giveUp && !process.HasExited && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                var reply = await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(1));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return true;
                }
            }
            catch (RpcException)
            {
                // not listening yet
            }

            await Task.Delay(200, CancellationToken.None);
        }

        return false;
    }
}

using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace GrpcMesh.Launcher;

internal static class HealthWaiter
{
    /// <summary>Polls grpc.health.v1 Check("") until SERVING, the process exits, or the timeout passes.</summary>
    public static async Task<bool> WaitServingAsync(Uri address, ChildProcess process, TimeSpan timeout)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new Health.HealthClient(channel);
        var giveUp = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < giveUp && !process.HasExited)
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

            await Task.Delay(200);
        }

        return false;
    }
}

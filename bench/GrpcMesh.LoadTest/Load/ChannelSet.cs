using System.Net;
using Grpc.Net.Client;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// One <see cref="GrpcChannel"/> per HTTP/2 connection (h2c to a loopback server). A channel opens another
/// connection only if a server's stream limit (Kestrel: 100) is reached.
/// </summary>
internal sealed class ChannelSet : IDisposable
{
    private readonly GrpcChannel[] _channels;

    public ChannelSet(Uri address, int connections)
    {
        _channels = new GrpcChannel[connections];
        for (var i = 0; i < connections; i++)
        {
            _channels[i] = GrpcChannel.ForAddress(address, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler
                {
                    EnableMultipleHttp2Connections = true,
                    PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                    AutomaticDecompression = DecompressionMethods.None,
                    UseProxy = false,
                },
                DisposeHttpClient = true,
            });
        }
    }

    public UnaryCall[] Bind(CallFactory factory) => [.. _channels.Select(c => factory(c.CreateCallInvoker()))];

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}

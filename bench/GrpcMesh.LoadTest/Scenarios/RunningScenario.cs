using GrpcMesh.LoadTest.Hosting;
using GrpcMesh.LoadTest.Load;

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>Started servers, the address the load goes to and the call to make; disposing stops everything.</summary>
internal sealed class RunningScenario(Uri target, CallFactory calls, IReadOnlyList<ServerProcess> servers, string? serverInfo, params IDisposable[] owned)
    : IAsyncDisposable
{
    public Uri Target { get; } = target;

    public CallFactory Calls { get; } = calls;

    public string? ServerInfo { get; } = serverInfo;

    public async ValueTask DisposeAsync()
    {
        // Front servers first, so nothing calls a backend that is already gone.
        foreach (var server in servers.Reverse())
        {
            await server.DisposeAsync();
        }

        foreach (var item in owned)
        {
            item.Dispose();
        }
    }
}

using GrpcMesh.Testing;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>N UserService replicas sharing one data directory, addressed together as <c>static:///…</c>.</summary>
public sealed class ReplicaSet : IAsyncDisposable
{
    private readonly TempDirectory _data = new("grpcmesh-lb");
    private readonly UserServiceReplica?[] _replicas;
    private readonly int[] _ports;

    public ReplicaSet(int count)
    {
        _replicas = new UserServiceReplica?[count];
        _ports = new int[count];
        for (var i = 0; i < count; i++)
        {
            _replicas[i] = UserServiceReplica.Start(_data.Path);
            _ports[i] = _replicas[i]!.Port;
        }

        Address = new Uri("static:///" + string.Join(',', _ports.Select(p => $"127.0.0.1:{p}")));
    }

    public Uri Address { get; }

    /// <summary>The address as the client's metric <c>target</c> tag.</summary>
    public string Target => Address.OriginalString;

    public int Count => _replicas.Length;

    public UserServiceReplica this[int index] => _replicas[index] ?? throw new InvalidOperationException($"replica {index} is not running");

    public string Endpoint(int index) => $"127.0.0.1:{_ports[index]}";

    public async Task KillAsync(int index)
    {
        await this[index].KillAsync();
        _replicas[index] = null;
    }

    /// <summary>Graceful stop (what a replica does after its drain): in-flight calls finish, then it exits.</summary>
    public async Task StopAsync(int index)
    {
        await this[index].DisposeAsync();
        _replicas[index] = null;
    }

    /// <summary>Starts replica <paramref name="index"/> again on its old port, with a fresh control (counters at zero).</summary>
    public UserServiceReplica Restart(int index)
    {
        if (_replicas[index] is not null)
        {
            throw new InvalidOperationException($"replica {index} is still running");
        }

        return _replicas[index] = UserServiceReplica.Start(_data.Path, _ports[index]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas.Where(r => r is not null))
        {
            await replica!.DisposeAsync();
        }

        _data.Dispose();
    }
}

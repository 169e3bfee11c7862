using Grpc.Core;

namespace GrpcMesh.Clients.Context;

/// <summary>Holds the current server call in an <see cref="AsyncLocal{T}"/> owned by this (singleton) instance.</summary>
public sealed class AmbientServerCallContextAccessor : IServerCallContextAccessor
{
    private readonly AsyncLocal<ServerCallContext?> _current = new();

    public ServerCallContext? ServerCallContext
    {
        get => _current.Value;
        internal set => _current.Value = value;
    }
}

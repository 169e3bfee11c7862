using GrpcMesh.ServiceDefaults.Auth;

namespace MeshSample;

/// <summary>The scope each RPC requires (the token's space-separated <c>scope</c> claim).</summary>
public static class MeshSampleScopes
{
    public const string Read = "meshsample.read";
    public const string Write = "meshsample.write";

    public static MethodScopes Map { get; } = new(V1.MeshSampleService.Descriptor, new Dictionary<string, string>
    {
        ["GetItem"] = Read,
        ["PutItem"] = Write,
    });
}

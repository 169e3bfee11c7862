namespace GrpcMesh.Clients;

/// <summary>Client names: the named-options / HttpClientFactory name and the configuration section <c>Clients:&lt;name&gt;</c>.</summary>
public static class GrpcMeshClientNames
{
    public const string UserService = "UserService";
    public const string OrderService = "OrderService";

    /// <summary>Configuration section of a client, e.g. <c>Clients:UserService</c>.</summary>
    public static string SectionOf(string name) => $"Clients:{name}";
}

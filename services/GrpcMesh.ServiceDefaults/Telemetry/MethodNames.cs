namespace GrpcMesh.ServiceDefaults.Telemetry;

internal static class MethodNames
{
    /// <summary>Splits "/package.Service/Method" into ("package.Service", "Method").</summary>
    public static (string Service, string Method) Split(string fullMethod)
    {
        var trimmed = fullMethod.AsSpan().TrimStart('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0
            ? (string.Empty, trimmed.ToString())
            : (trimmed[..slash].ToString(), trimmed[(slash + 1)..].ToString());
    }
}

namespace GrpcMesh.ServiceDefaults.Reflection;

/// <summary>The <c>Reflection</c> configuration section.</summary>
public sealed class ReflectionOptions
{
    public const string SectionName = "Reflection";

    /// <summary>
    /// Serve gRPC server reflection (v1 and v1alpha) so grpcurl and similar tools work without .proto files.
    /// Unset means on in Development and off elsewhere; set <c>Reflection:Enabled=true|false</c> to decide explicitly.
    /// </summary>
    public bool? Enabled { get; set; }

    public bool IsEnabled(bool isDevelopment) => Enabled ?? isDevelopment;
}

using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.ServiceDefaults.Health;

/// <summary>The <c>Shutdown</c> configuration section: how the service drains on SIGTERM.</summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// Time between SIGTERM and the server closing its listeners. Health reports NOT_SERVING for this long
    /// while in-flight and new calls are still served, so load balancers and Kubernetes endpoints move away first.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time allowed for in-flight calls to finish after the drain delay, before they are aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The host's whole shutdown budget: <see cref="DrainDelay"/> + <see cref="Timeout"/>.</summary>
    public TimeSpan HostShutdownTimeout => DrainDelay + Timeout;
}

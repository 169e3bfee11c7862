using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Bench.RelayServer;

/// <summary>Section <c>Relay</c>: which client forwards the calls, and to where.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary><c>raw</c>: one GrpcChannel, deadline and cancellation passed by hand; <c>resilient</c>: AddUserServiceClient.</summary>
    [Required]
    [RegularExpression("^(raw|resilient)$")]
    public string Mode { get; set; } = "resilient";

    [Required]
    public Uri? Backend { get; set; }
}

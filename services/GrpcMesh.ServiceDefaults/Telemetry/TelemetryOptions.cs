using System.ComponentModel.DataAnnotations;
using System.Net;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>The <c>Telemetry</c> configuration section (OTLP export itself is configured by the standard OTEL_* variables).</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "Telemetry";

    /// <summary>Fraction of new traces recorded (parent-based: a sampled caller's decision is kept). Unset: 1.0 in Development, 0.1 elsewhere.</summary>
    [Range(0.0, 1.0)]
    public double? SamplingRatio { get; set; }

    /// <summary>Port of the Prometheus scrape endpoint (<c>/metrics</c>, plain HTTP/1.1, separate from the gRPC port). Unset: no endpoint; 0: any free port.</summary>
    [Range(0, 65535)]
    public int? PrometheusPort { get; set; }

    /// <summary>Address the Prometheus endpoint binds to.</summary>
    [Required]
    public string PrometheusAddress { get; set; } = "0.0.0.0";

    public double EffectiveSamplingRatio(bool isDevelopment) => SamplingRatio ?? (isDevelopment ? 1.0 : 0.1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IPAddress.TryParse(PrometheusAddress, out _))
        {
            yield return new ValidationResult($"Telemetry:PrometheusAddress '{PrometheusAddress}' is not an IP address", [nameof(PrometheusAddress)]);
        }
    }
}

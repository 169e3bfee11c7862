using GrpcMesh.Testing;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace GrpcMesh.Deploy.Tests.Manifests;

/// <summary>
/// A service's configuration in the pod: its appsettings.json (if any) with the container's literal environment
/// variables on top, for the options the static manifest checks bind (shutdown, telemetry).
/// </summary>
internal sealed class PodConfiguration
{
    private PodConfiguration(IConfiguration pod)
    {
        Pod = pod;
    }

    public IConfiguration Pod { get; }

    public static PodConfiguration Load(string project, YamlNode container)
    {
        var appsettings = RepoPaths.PathOf("services", project, "appsettings.json");
        var environment = container.Seq("env")
            .Where(e => e.Find("value") is not null)
            .ToDictionary(e => ConfigKey(e.Str("name")), e => (string?)e.Str("value"));
        var pod = new ConfigurationBuilder().AddJsonFile(appsettings, optional: true).AddInMemoryCollection(environment).Build();
        return new PodConfiguration(pod);
    }

    /// <summary>How the host maps an environment variable name to a configuration key.</summary>
    public static string ConfigKey(string environmentVariable) =>
        (environmentVariable.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ? environmentVariable["ASPNETCORE_".Length..] : environmentVariable)
            .Replace("__", ":", StringComparison.Ordinal);

    public ShutdownOptions Shutdown => Bind<ShutdownOptions>(Pod, ShutdownOptions.SectionName);

    public TelemetryOptions Telemetry => Bind<TelemetryOptions>(Pod, TelemetryOptions.SectionName);

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        var valid = System.ComponentModel.DataAnnotations.Validator.TryValidateObject(
            options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true);
        if (options is System.ComponentModel.DataAnnotations.IValidatableObject validatable)
        {
            results.AddRange(validatable.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)));
        }

        Assert.True(valid && results.Count == 0, $"{section} options invalid: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        return options;
    }
}

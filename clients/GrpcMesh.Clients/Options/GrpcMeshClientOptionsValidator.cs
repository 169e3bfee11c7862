using System.ComponentModel.DataAnnotations;
using Google.Protobuf.Reflection;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Clients.Target;
using Microsoft.Extensions.Options;

namespace GrpcMesh.Clients.Options;

/// <summary>
/// Validates what data annotations on the top-level options cannot: the nested Retry/Hedging/Breaker/Http objects,
/// cross-field rules, the address scheme and that every per-method deadline names a method of the service.
/// </summary>
internal sealed class GrpcMeshClientOptionsValidator(string name, ServiceDescriptor service) : IValidateOptions<GrpcMeshClientOptions>
{
    public ValidateOptionsResult Validate(string? optionsName, GrpcMeshClientOptions options)
    {
        if (!string.Equals(optionsName, name, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }

        var prefix = $"Clients:{name}";
        var failures = new List<string>();
        ValidateNested(options.Retry, $"{prefix}:Retry", failures);
        ValidateNested(options.Hedging, $"{prefix}:Hedging", failures);
        ValidateNested(options.Breaker, $"{prefix}:Breaker", failures);
        ValidateNested(options.Http, $"{prefix}:Http", failures);
        ValidateNested(options.LoadBalancing, $"{prefix}:LoadBalancing", failures);
        ValidateNested(options.OutlierEjection, $"{prefix}:OutlierEjection", failures);
        ValidateNested(options.HealthChecks, $"{prefix}:HealthChecks", failures);

        if (options.Address is { } address && !ClientTarget.TryParse(address, options.UseTls, out _, out var addressError))
        {
            failures.Add($"{prefix}:{addressError}");
        }

        if (options.LoadBalancing.Policy is not (GrpcMeshLoadBalancingOptions.RoundRobin or GrpcMeshLoadBalancingOptions.LeastLoaded or GrpcMeshLoadBalancingOptions.PickFirst))
        {
            failures.Add($"{prefix}:LoadBalancing:Policy '{options.LoadBalancing.Policy}' must be {GrpcMeshLoadBalancingOptions.RoundRobin}, {GrpcMeshLoadBalancingOptions.LeastLoaded} or {GrpcMeshLoadBalancingOptions.PickFirst}.");
        }

        if (options.LoadBalancing.MaxReconnectBackoff < options.LoadBalancing.InitialReconnectBackoff)
        {
            failures.Add($"{prefix}:LoadBalancing:MaxReconnectBackoff ({options.LoadBalancing.MaxReconnectBackoff}) must not be shorter than InitialReconnectBackoff ({options.LoadBalancing.InitialReconnectBackoff}).");
        }

        if (options.OutlierEjection.MaxEjectionTime < options.OutlierEjection.BaseEjectionTime)
        {
            failures.Add($"{prefix}:OutlierEjection:MaxEjectionTime ({options.OutlierEjection.MaxEjectionTime}) must not be shorter than BaseEjectionTime ({options.OutlierEjection.BaseEjectionTime}).");
        }

        if (options.Retry.MaxBackoff < options.Retry.InitialBackoff)
        {
            failures.Add($"{prefix}:Retry:MaxBackoff ({options.Retry.MaxBackoff}) must not be shorter than InitialBackoff ({options.Retry.InitialBackoff}).");
        }

        ValidateByMethod(options.MethodDeadlines, $"{prefix}:MethodDeadlines", service, failures);
        ValidateByMethod(options.Retry.MethodPerAttemptTimeouts, $"{prefix}:Retry:MethodPerAttemptTimeouts", service, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every key names a method of <paramref name="service"/>, every value is positive.</summary>
    private static void ValidateByMethod(Dictionary<string, TimeSpan> byMethod, string path, ServiceDescriptor service, List<string> failures)
    {
        foreach (var (method, value) in byMethod)
        {
            if (MethodPolicies.FindMethod(service, method) is null)
            {
                failures.Add($"{path}:{method} names no method of {service.FullName}.");
            }

            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{path}:{method} must be positive (was {value}).");
            }
        }
    }

    private static void ValidateNested(object value, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            return;
        }

        foreach (var result in results)
        {
            var members = string.Join(", ", result.MemberNames.Select(m => $"{path}:{m}"));
            failures.Add($"{members}: {result.ErrorMessage}");
        }
    }
}

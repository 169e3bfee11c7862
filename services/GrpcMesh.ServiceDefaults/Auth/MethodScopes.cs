using Google.Protobuf.Reflection;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>
/// The one place a service declares which scope each of its RPCs needs. Every method of the service must be listed
/// (a forgotten method fails start-up instead of being silently open or closed).
/// </summary>
public sealed class MethodScopes
{
    private readonly Dictionary<string, string> _byPath;

    public MethodScopes(ServiceDescriptor service, IReadOnlyDictionary<string, string> scopeByMethod)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(scopeByMethod);
        var unknown = scopeByMethod.Keys.Where(m => service.FindMethodByName(m) is null).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"{service.FullName} has no method(s) {string.Join(", ", unknown)}", nameof(scopeByMethod));
        }

        var missing = service.Methods.Where(m => !scopeByMethod.ContainsKey(m.Name)).Select(m => m.Name).ToList();
        if (missing.Count > 0)
        {
            throw new ArgumentException($"no scope declared for {service.FullName} method(s) {string.Join(", ", missing)}", nameof(scopeByMethod));
        }

        _byPath = scopeByMethod.ToDictionary(p => $"/{service.FullName}/{p.Key}", p => p.Value, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, string> ByPath => _byPath;
}

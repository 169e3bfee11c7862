using System.Collections.Frozen;

namespace GrpcMesh.ServiceDefaults.Auth;

/// <summary>All <see cref="MethodScopes"/> registered in the service, frozen for the per-call lookup.</summary>
internal sealed class ScopeRequirements(IEnumerable<MethodScopes> declarations)
{
    private readonly FrozenDictionary<string, string> _byPath = declarations
        .SelectMany(d => d.ByPath)
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The scope <paramref name="methodPath"/> needs; null for methods no service declared (any valid token will do).</summary>
    public string? For(string methodPath) => _byPath.GetValueOrDefault(methodPath);
}

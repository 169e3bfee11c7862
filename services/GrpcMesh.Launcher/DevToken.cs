using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.Launcher;

/// <summary>
/// A bearer token for calling the local mesh by hand (grpcurl): signed with <see cref="AuthOptions.DevelopmentSigningKey"/>
/// (the key the services read from appsettings.Development.json) with the default issuer/audience.
/// </summary>
internal static class DevToken
{
    /// <summary>The scopes UserServiceScopes and OrderServiceScopes declare (the launcher does not reference the services).</summary>
    public static readonly IReadOnlyList<string> AllScopes = ["users.read", "users.write", "orders.read", "orders.write"];

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(12);

    public static string Create(DateTimeOffset now, IEnumerable<string>? scopes = null, TimeSpan? lifetime = null) =>
        ServiceTokenIssuer.Create(
            new AuthOptions { SigningKey = AuthOptions.DevelopmentSigningKey },
            "developer",
            scopes ?? AllScopes,
            now,
            lifetime ?? DefaultLifetime);
}

using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.Launcher;

/// <summary>
/// A bearer token for calling the local mesh by hand (grpcurl): signed with <see cref="AuthOptions.DevelopmentSigningKey"/>
/// (the key the services read from appsettings.Development.json), default issuer/audience, every scope, 12 hours.
/// </summary>
internal static class DevToken
{
    public static string Create(DateTimeOffset now) => ServiceTokenIssuer.Create(
        new AuthOptions { SigningKey = AuthOptions.DevelopmentSigningKey },
        "developer",
        [Scopes.UsersRead, Scopes.UsersWrite, Scopes.OrdersRead, Scopes.OrdersWrite],
        now,
        TimeSpan.FromHours(12));
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GrpcMesh.Launcher;

/// <summary>
/// A bearer token for calling the local mesh by hand (grpcurl): HS256 with the development key the services read from
/// appsettings.Development.json (<c>AuthOptions.DevelopmentSigningKey</c>), every scope, 12 hours.
/// </summary>
internal static class DevToken
{
    private const string DevelopmentSigningKey = "Z3JwY21lc2gtZGV2LW9ubHktc2lnbmluZy1rZXktZG8tbm90LXVzZS1pbi1wcm9kISE=";

    public static string Create(DateTimeOffset now)
    {
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "HS256", ["typ"] = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "grpcmesh",
            ["aud"] = "grpcmesh",
            ["sub"] = "developer",
            ["scope"] = "users.read users.write orders.read orders.write",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(12).ToUnixTimeSeconds(),
        }));
        var signature = HMACSHA256.HashData(Convert.FromBase64String(DevelopmentSigningKey), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Encode(signature)}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

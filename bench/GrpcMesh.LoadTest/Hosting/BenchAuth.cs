using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;

namespace GrpcMesh.LoadTest.Hosting;

/// <summary>
/// The run's own credentials: a fresh random HS256 key handed to every .NET server (<c>--Auth:SigningKey</c>) and a
/// bearer token signed with it (iss/aud <c>grpcmesh</c>, every scope) that the load generator sends on each call.
/// Servers without auth (baseline, Python) ignore both.
/// </summary>
internal sealed class BenchAuth
{
    public const string AllScopes = "users.read users.write orders.read orders.write";

    public BenchAuth(TimeProvider time)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        SigningKey = Convert.ToBase64String(key);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"HS256","typ":"JWT"}"""u8);
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = "grpcmesh",
            ["aud"] = "grpcmesh",
            ["sub"] = "grpcmesh-bench",
            ["scope"] = AllScopes,
            ["iat"] = now,
            ["nbf"] = now - 60,
            ["exp"] = now + 24 * 3600,
        }));
        var signature = Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes($"{header}.{payload}")));
        Token = $"{header}.{payload}.{signature}";
        Headers = new Metadata { { "authorization", "Bearer " + Token } };
    }

    public string SigningKey { get; }

    public string Token { get; }

    /// <summary>Sent with every call; built once, so the load generator allocates nothing for it per call.</summary>
    public Metadata Headers { get; }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

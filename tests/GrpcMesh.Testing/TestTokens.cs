using System.Security.Cryptography;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Auth;

namespace GrpcMesh.Testing;

/// <summary>A throwaway signing key for hosts with auth on, and bearer tokens signed with it.</summary>
public sealed class TestTokens
{
    public string SigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Host settings that turn auth on with <see cref="SigningKey"/>.</summary>
    public Dictionary<string, string?> HostSettings() => new()
    {
        ["Auth:Enabled"] = "true",
        ["Auth:SigningKey"] = SigningKey,
    };

    public string Create(string subject, params string[] scopes) => Create(subject, TimeSpan.FromMinutes(5), scopes);

    public string Create(string subject, TimeSpan lifetime, params string[] scopes) =>
        Create(subject, DateTimeOffset.UtcNow, lifetime, scopes);

    public string Create(string subject, DateTimeOffset issuedAt, TimeSpan lifetime, params string[] scopes) =>
        ServiceTokenIssuer.Create(new AuthOptions { SigningKey = SigningKey }, subject, scopes, issuedAt, lifetime);

    /// <summary>Call headers carrying <paramref name="token"/>.</summary>
    public static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };
}

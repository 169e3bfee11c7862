using System.Diagnostics;
using Grpc.Core;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Oidc;
using GrpcMesh.User.V1;
using GrpcMesh.UserService;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>A UserService host whose auth trusts a <see cref="TestIdentityProvider"/>, and a timed probe call (ListUsers).</summary>
internal sealed class OidcProbe : IDisposable
{
    public OidcProbe(TestIdentityProvider provider, params (string Key, string? Value)[] settings)
    {
        var all = HostSettings.For(null, settings);
        foreach (var (key, value) in provider.HostSettings())
        {
            all.TryAdd(key, value);
        }

        Host = new GrpcTestHost<UserServiceMarker>(all);
        Users = new UserServiceClient(Host.Channel);
    }

    public GrpcTestHost<UserServiceMarker> Host { get; }

    public UserServiceClient Users { get; }

    /// <summary>ListUsers with <paramref name="token"/>: the status code (OK when served), its detail and how long it took.</summary>
    public async Task<(StatusCode Code, string Detail, TimeSpan Elapsed)> CallAsync(string token, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await Users.ListUsersAsync(new ListUsersRequest(), TestTokens.Bearer(token), cancellationToken: cancellationToken);
            return (StatusCode.OK, "", watch.Elapsed);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Status.Detail, watch.Elapsed);
        }
    }

    public void Dispose() => Host.Dispose();
}

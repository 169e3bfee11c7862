using Microsoft.Extensions.DependencyInjection;

namespace GrpcMesh.UserService.Tests.Support;

internal static class UserServiceHosts
{
    /// <summary>
    /// An in-memory UserService with the given <c>Storage:*</c> <paramref name="settings"/> (default: SQLite in a fresh
    /// temp directory; <paramref name="dataDirectory"/> to restart on the same SQLite files) and, optionally, a fake clock.
    /// </summary>
    public static GrpcTestHost<UserServiceMarker> Create(
        string? dataDirectory = null, TimeProvider? timeProvider = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (dataDirectory is not null)
        {
            all["Storage:DataDirectory"] = dataDirectory;
        }

        return new GrpcTestHost<UserServiceMarker>(all, services =>
        {
            if (timeProvider is not null)
            {
                services.AddSingleton(timeProvider);
            }
        });
    }
}

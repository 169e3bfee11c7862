using Grpc.Core;
using GrpcMesh.Clients;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.User.V1;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.LoadTest.Scenarios.Traffic;

/// <summary>
/// GetUser over raw channels for the overload scenario, each call with its own deadline (so an open loop past capacity
/// cannot pile calls up forever) and, when mixed, every odd sequence marked <c>grpcmesh-criticality: sheddable</c> and
/// every even one <c>critical</c>. Raw channels, not the mesh client: its retries (RESOURCE_EXHAUSTED with pushback)
/// would blur what the server's admission did.
/// </summary>
internal static class CriticalityCalls
{
    public static bool IsSheddable(long sequence) => sequence % 2 == 1;

    public static CallFactory GetUser(IReadOnlyList<string> userIds, Metadata auth, TimeSpan deadline, bool mixed) =>
        GetUser(userIds, auth, deadline, sequence => mixed && IsSheddable(sequence));

    /// <summary>Every call sheddable.</summary>
    public static CallFactory SheddableGetUser(IReadOnlyList<string> userIds, Metadata auth, TimeSpan deadline) =>
        GetUser(userIds, auth, deadline, _ => true);

    private static CallFactory GetUser(IReadOnlyList<string> userIds, Metadata auth, TimeSpan deadline, Func<long, bool> sheddableAt)
    {
        var requests = userIds.Select(id => new GetUserRequest { UserId = id }).ToArray();
        var critical = With(auth, Criticality.Critical);
        var sheddable = With(auth, Criticality.Sheddable);
        return invoker =>
        {
            var client = new UserServiceClient(invoker);
            return (sequence, cancellationToken) => client.GetUserAsync(
                requests[sequence % requests.Length],
                sheddableAt(sequence) ? sheddable : critical,
                DateTime.UtcNow + deadline,
                cancellationToken).ResponseAsync;
        };
    }

    private static Metadata With(Metadata auth, string criticality)
    {
        var headers = new Metadata();
        foreach (var entry in auth)
        {
            headers.Add(entry);
        }

        headers.Add(Criticality.Header, criticality);
        return headers;
    }
}

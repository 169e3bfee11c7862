using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Common.V1;
using GrpcMesh.LoadTest.Load;
using GrpcMesh.User.V1;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.LoadTest.Scenarios;

internal static class UserCalls
{
    /// <summary>
    /// GetUser cycling through <paramref name="userIds"/>, or through them in the order of <paramref name="keyOrder"/>
    /// (indexes into <paramref name="userIds"/>); the requests are built once, not per call.
    /// </summary>
    public static CallFactory GetUser(IReadOnlyList<string> userIds, Metadata headers, int[]? keyOrder = null)
    {
        var requests = userIds.Select(id => new GetUserRequest { UserId = id }).ToArray();
        var order = keyOrder ?? Enumerable.Range(0, requests.Length).ToArray();
        return invoker =>
        {
            var client = new UserServiceClient(invoker);
            return (sequence, cancellationToken) =>
                client.GetUserAsync(requests[order[sequence % order.Length]], headers, cancellationToken: cancellationToken).ResponseAsync;
        };
    }

    /// <summary>
    /// GetUser cycling through <paramref name="userIds"/> on an already-built client (the mesh client: it brings its own
    /// token, deadline and balancing), one call shared by every worker.
    /// </summary>
    public static UnaryCall GetUser(UserServiceClient client, IReadOnlyList<string> userIds)
    {
        var requests = userIds.Select(id => new GetUserRequest { UserId = id }).ToArray();
        return (sequence, cancellationToken) =>
            client.GetUserAsync(requests[sequence % requests.Length], cancellationToken: cancellationToken).ResponseAsync;
    }

    /// <summary>The calls of a scenario over <paramref name="userIds"/>: cycling, or Zipf-distributed when <paramref name="zipf"/>.</summary>
    public static CallFactory GetUser(IReadOnlyList<string> userIds, ScenarioContext context, bool zipf) =>
        GetUser(userIds, context.Auth.Headers, zipf ? ZipfKeys.Sample(userIds.Count, context.Options.ZipfExponent, ZipfSampleLength) : null);

    /// <summary>How many users a scenario seeds.</summary>
    public static int UserCount(ScenarioContext context, bool zipf) => zipf ? context.Options.ZipfUsers : context.Options.Users;

    private const int ZipfSampleLength = 1 << 20;

    /// <summary>Creates <paramref name="count"/> users through the public API (the same way for every server).</summary>
    public static async Task<string[]> SeedAsync(Uri address, int count, Metadata headers, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new UserServiceClient(channel);
        var ids = new string[count];
        var runId = Guid.NewGuid().ToString("N")[..8];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var response = await client.CreateUserAsync(new CreateUserRequest
                {
                    Email = $"bench-{runId}-{i}@example.com",
                    DisplayName = $"Bench User {i}",
                    CreditLimit = new Money { CurrencyCode = "USD", Units = 1_000 },
                    RequestId = $"bench-{runId}-{i}",
                }, headers, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);
                ids[i] = response.User.Id;
            });
        return ids;
    }

    /// <summary>Fails fast if the seeded users cannot be read back (e.g. a scenario wired to the wrong server).</summary>
    public static async Task VerifyAsync(Uri address, string userId, Metadata headers, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var response = await new UserServiceClient(channel)
            .GetUserAsync(new GetUserRequest { UserId = userId }, headers, DateTime.UtcNow.AddSeconds(10), cancellationToken)
            ;
        if (response.User?.Id != userId)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"GetUser({userId}) returned user '{response.User?.Id}'"));
        }
    }
}

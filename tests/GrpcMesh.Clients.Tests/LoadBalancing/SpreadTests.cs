using GrpcMesh.Clients.Tests.Replicas;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.LoadBalancing;

public sealed class SpreadTests(ITestOutputHelper output)
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task GetUser_ThreeReplicasBehindStaticAddress_EachGetsAThirdWithinTwentyPercent()
    {
        await using var replicas = new ReplicaSet(3);
        using var harness = Balanced.Client(replicas);
        var userId = await Balanced.CreateUserAsync(harness);
        await Balanced.WaitUntilAllReadyAsync(harness, replicas);
        var before = Enumerable.Range(0, 3).Select(i => replicas[i].Control.Calls).ToArray();

        const int Calls = 3000;
        var request = new GetUserRequest { UserId = userId };
        await Parallel.ForAsync(0, Calls, new ParallelOptions { MaxDegreeOfParallelism = 12 },
            async (_, _) => Assert.Equal(userId, (await harness.Client.GetUserAsync(request)).User.Id));

        var received = Enumerable.Range(0, 3).Select(i => replicas[i].Control.Calls - before[i]).ToArray();
        Balanced.Report(output, $"spread of {Calls} GetUser calls over 3 replicas: {string.Join(" / ", received)} " +
            $"(deviation from {Calls / 3}: {string.Join(" / ", received.Select(r => $"{(r - (Calls / 3.0)) / (Calls / 3.0):+0.0%;-0.0%}"))})");
        Assert.Equal(Calls, received.Sum());
        Assert.All(received, r => Assert.InRange(r, 800, 1200));
    }
}

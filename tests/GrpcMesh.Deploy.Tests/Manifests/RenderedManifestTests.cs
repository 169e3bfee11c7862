using GrpcMesh.Deploy.Tests.Harness;
using GrpcMesh.Testing;

namespace GrpcMesh.Deploy.Tests.Manifests;

/// <summary>What `kubectl kustomize` renders for each variant is deployable to a real cluster as it stands.</summary>
public sealed class RenderedManifestTests
{
    // kubectl kustomize runs under its own 1 min timeout (RenderedManifests).
    public static TheoryData<string> Variants => new("k8s", "k8s/postgres");

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(Variants))]
    public async Task Kustomization_EveryImage_FromTheRegistryWithAVersionTagAndPullPolicy(string variant)
    {
        var rendered = await RenderedManifests.RenderAsync(variant.Split('/'));

        Assert.NotEmpty(rendered.Workloads);
        Assert.All(rendered.Workloads, w =>
        {
            var (repository, tag) = (w.Image[..w.Image.LastIndexOf(':')], w.Image[(w.Image.LastIndexOf(':') + 1)..]);
            Assert.Contains(".", repository.Split('/')[0], StringComparison.Ordinal);
            Assert.NotEqual("latest", tag);
            Assert.Equal("IfNotPresent", w.ImagePullPolicy);
        });
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(Variants))]
    public async Task Kustomization_EveryDeployment_HasADisruptionBudgetThatNeverBlocksADrain(string variant)
    {
        var rendered = await RenderedManifests.RenderAsync(variant.Split('/'));

        foreach (var workload in rendered.Workloads)
        {
            var budget = Assert.Single(rendered.OfKind("PodDisruptionBudget"), b => b.Str("spec", "selector", "matchLabels", "app.kubernetes.io/name") == workload.Labels["app.kubernetes.io/name"]);
            Assert.Null(budget.Find("spec", "minAvailable"));
            Assert.Equal(1, budget.Int("spec", "maxUnavailable"));
        }
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task PostgresVariant_ScalesOutWithoutSqliteVolumesAndRollsWithoutLosingCapacity()
    {
        var rendered = await RenderedManifests.RenderAsync("k8s", "postgres");

        Assert.Empty(rendered.OfKind("PersistentVolumeClaim"));
        Assert.All(rendered.Workloads, w =>
        {
            Assert.True(w.Replicas >= 2, $"{w.Name}: {w.Replicas} replica(s)");
            Assert.Equal((1, 0), (w.MaxSurge, w.MaxUnavailable));
            Assert.DoesNotContain(w.Volumes, v => v.Value is not null);
            Assert.Contains(w.Environment, e => e is { Name: "Storage__Provider", Value: "Postgres" });
            Assert.Contains(w.Environment, e => e is { Name: "Storage__ConnectionString", SecretName: "grpcmesh-postgres", Optional: false });
            Assert.DoesNotContain(w.Environment, e => e.Name == "Storage__DataDirectory");
        });
    }
}

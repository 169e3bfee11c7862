using GrpcMesh.Deploy.Tests.Manifests;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;
using YamlDotNet.RepresentationModel;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>A gRPC probe as the kubelet runs it (Kubernetes defaults for what the manifest leaves out).</summary>
internal sealed record GrpcProbe(int Port, string Service, TimeSpan Period, TimeSpan Timeout, int FailureThreshold, TimeSpan InitialDelay)
{
    public static GrpcProbe Parse(YamlNode probe) => new(
        probe.Int("grpc", "port"),
        probe.Find("grpc", "service") is null ? "" : probe.Str("grpc", "service"),
        TimeSpan.FromSeconds(IntOr(probe, "periodSeconds", 10)),
        TimeSpan.FromSeconds(IntOr(probe, "timeoutSeconds", 1)),
        IntOr(probe, "failureThreshold", 3),
        TimeSpan.FromSeconds(IntOr(probe, "initialDelaySeconds", 0)));

    internal static int IntOr(YamlNode node, string key, int fallback) => node.Find(key) is null ? fallback : node.Int(key);
}

/// <summary>An environment variable of a container: a literal value or a Secret key.</summary>
internal sealed record EnvVar(string Name, string? Value, string? SecretName, string? SecretKey, bool Optional);

/// <summary>A Deployment's pod template as far as starting, probing and stopping its pods goes.</summary>
internal sealed record Workload(
    string Name,
    int Replicas,
    IReadOnlyDictionary<string, string> Labels,
    string Image,
    string ImagePullPolicy,
    IReadOnlyList<EnvVar> Environment,
    IReadOnlyDictionary<string, int> Ports,
    GrpcProbe StartupProbe,
    GrpcProbe LivenessProbe,
    GrpcProbe ReadinessProbe,
    TimeSpan TerminationGracePeriod,
    int RunAsUser,
    int RunAsGroup,
    bool ReadOnlyRootFilesystem,
    IReadOnlyDictionary<string, string> VolumeMounts,
    IReadOnlyDictionary<string, string?> Volumes,
    int MaxSurge,
    int MaxUnavailable)
{
    /// <summary>The Dockerfile name the image is built from: <c>…/grpcmesh/userservice:tag</c> → <c>userservice</c>.</summary>
    public string ImageName => Image.Split('/')[^1].Split(':')[0];

    public static Workload Parse(YamlMappingNode deployment)
    {
        var template = deployment.Map("spec", "template");
        var pod = template.Map("spec");
        var container = Assert.Single(pod.Seq("containers"));
        var security = pod.Map("securityContext");
        var strategy = deployment.Find("spec", "strategy");
        var rolling = strategy?.Find("rollingUpdate");
        var replicas = GrpcProbe.IntOr(deployment.Map("spec"), "replicas", 1);
        var recreate = strategy?.Find("type") is YamlScalarNode { Value: "Recreate" };
        return new Workload(
            deployment.Str("metadata", "name"),
            replicas,
            template.Map("metadata", "labels").Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString()),
            container.Str("image"),
            container.Find("imagePullPolicy") is null ? "" : container.Str("imagePullPolicy"),
            container.Seq("env").Select(e => new EnvVar(
                e.Str("name"),
                e.Find("value") is null ? null : e.Str("value"),
                e.Find("valueFrom", "secretKeyRef", "name") is null ? null : e.Str("valueFrom", "secretKeyRef", "name"),
                e.Find("valueFrom", "secretKeyRef", "key") is null ? null : e.Str("valueFrom", "secretKeyRef", "key"),
                e.Find("valueFrom", "secretKeyRef", "optional") is YamlScalarNode { Value: "true" })).ToList(),
            container.Seq("ports").ToDictionary(p => p.Str("name"), p => p.Int("containerPort")),
            GrpcProbe.Parse(container.Map("startupProbe")),
            GrpcProbe.Parse(container.Map("livenessProbe")),
            GrpcProbe.Parse(container.Map("readinessProbe")),
            TimeSpan.FromSeconds(GrpcProbe.IntOr(pod, "terminationGracePeriodSeconds", 30)),
            security.Int("runAsUser"),
            security.Int("runAsGroup"),
            container.Find("securityContext", "readOnlyRootFilesystem") is YamlScalarNode { Value: "true" },
            container.Seq("volumeMounts").ToDictionary(m => m.Str("name"), m => m.Str("mountPath")),
            pod.Seq("volumes").ToDictionary(v => v.Str("name"), v => v.Find("persistentVolumeClaim") is null ? null : v.Str("persistentVolumeClaim", "claimName")),
            recreate ? 0 : Surge(rolling?.Find("maxSurge"), replicas, roundUp: true),
            recreate ? replicas : Surge(rolling?.Find("maxUnavailable"), replicas, roundUp: false));
    }

    /// <summary>Kubernetes' rolling-update arithmetic: an absolute number or a percentage of replicas (default 25 %).</summary>
    private static int Surge(YamlNode? value, int replicas, bool roundUp)
    {
        var text = value is YamlScalarNode { Value: { } v } ? v : "25%";
        if (!text.EndsWith('%'))
        {
            return int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        }

        var share = replicas * int.Parse(text[..^1], System.Globalization.CultureInfo.InvariantCulture) / 100.0;
        return (int)(roundUp ? Math.Ceiling(share) : Math.Floor(share));
    }
}

/// <summary>A Service: which pods it selects and whether its DNS names not-ready pods too.</summary>
internal sealed record ServiceEntry(string Name, IReadOnlyDictionary<string, string> Selector, bool PublishNotReadyAddresses)
{
    public bool Selects(IReadOnlyDictionary<string, string> labels) => Selector.All(s => labels.GetValueOrDefault(s.Key) == s.Value);
}

/// <summary>What <c>kubectl kustomize</c> renders for a folder of deploy/: the objects the harness runs.</summary>
internal sealed record RenderedManifests(
    IReadOnlyList<Workload> Workloads,
    IReadOnlyList<ServiceEntry> Services,
    IReadOnlyList<YamlMappingNode> Documents)
{
    public Workload Workload(string name) => Workloads.Single(w => w.Name == name);

    public IEnumerable<YamlMappingNode> OfKind(string kind) => Documents.Where(d => d.Str("kind") == kind);

    public static async Task<RenderedManifests> RenderAsync(params string[] kustomizationFolder)
    {
        var kubectl = ProcessRunner.FindOnPath("kubectl")
            ?? throw new InvalidOperationException("kubectl not found: the pod harness renders deploy/ with `kubectl kustomize` (.ci/run installs it)");
        using var output = new TempDirectory("grpcmesh-kustomize");
        var rendered = Path.Combine(output.Path, "rendered.yaml");
        await new ProcessRunner(runAsUser: null)
            .RunCheckedAsync(kubectl, ["kustomize", RepoPaths.PathOf(["deploy", .. kustomizationFolder]), "-o", rendered], TimeSpan.FromMinutes(1))
            .ConfigureAwait(false);
        var stream = new YamlStream();
        stream.Load(new StringReader(await File.ReadAllTextAsync(rendered).ConfigureAwait(false)));
        var documents = stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode)).ToList();
        return new RenderedManifests(
            documents.Where(d => d.Str("kind") == "Deployment").Select(Harness.Workload.Parse).ToList(),
            documents.Where(d => d.Str("kind") == "Service").Select(s => new ServiceEntry(
                s.Str("metadata", "name"),
                s.Map("spec", "selector").Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString()),
                s.Find("spec", "publishNotReadyAddresses") is YamlScalarNode { Value: "true" })).ToList(),
            documents);
    }
}

using Microsoft.Extensions.Configuration;
using GrpcMesh.Testing;
using System.Net;
using GrpcMesh.ServiceDefaults.Health;
using YamlDotNet.RepresentationModel;

namespace GrpcMesh.Deploy.Tests.Manifests;

/// <summary>
/// No Docker or kubectl here: the deploy files are checked by parsing them against the services' own configuration
/// (appsettings.json, ShutdownOptions/TelemetryOptions defaults and validation).
/// </summary>
public sealed class DeployManifestTests
{
    /// <summary>Kubernetes name → project.</summary>
    private static readonly Dictionary<string, string> Services = new()
    {
        ["userservice"] = "GrpcMesh.UserService",
        ["orderservice"] = "GrpcMesh.OrderService",
    };

    public static TheoryData<string> ServiceNames => new(Services.Keys);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Manifest_GrpcPort_MatchesLocalLaunchProfileContainerPortAndService(string name) => TestTimeouts.RunSync(() =>
    {
        var (deployment, service, container, _) = Load(name);
        var grpcPort = container.Seq("ports").Named("grpc").Int("containerPort");

        Assert.Equal(LaunchProfileUrl(Services[name]).Port, grpcPort);

        var servicePort = service.Seq("spec", "ports").Named("grpc");
        Assert.Equal(grpcPort, servicePort.Int("port"));
        Assert.Equal("grpc", servicePort.Str("targetPort"));
        Assert.Equal("kubernetes.io/h2c", servicePort.Str("appProtocol"));
        Assert.Equal(deployment.Str("spec", "template", "metadata", "labels", "app.kubernetes.io/name"), service.Str("spec", "selector", "app.kubernetes.io/name"));
        Assert.Equal(deployment.Str("spec", "selector", "matchLabels", "app.kubernetes.io/name"), service.Str("spec", "selector", "app.kubernetes.io/name"));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Manifest_Probes_GrpcHealthOnGrpcPortReadinessEmptyLivenessLiveness(string name) => TestTimeouts.RunSync(() =>
    {
        var (_, _, container, _) = Load(name);
        var grpcPort = container.Seq("ports").Named("grpc").Int("containerPort");

        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            Assert.Equal(grpcPort, container.Int(probe, "grpc", "port"));
            Assert.Null(container.Find(probe, "httpGet"));
            Assert.Null(container.Find(probe, "exec"));
        }

        Assert.Equal("", container.Str("readinessProbe", "grpc", "service"));
        Assert.Equal(HealthNames.LivenessService, container.Str("livenessProbe", "grpc", "service"));
        Assert.Equal(HealthNames.LivenessService, container.Str("startupProbe", "grpc", "service"));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Manifest_TerminationGracePeriod_CoversDrainDelayPlusTimeout(string name) => TestTimeouts.RunSync(() =>
    {
        var (deployment, _, container, config) = Load(name);
        var shutdown = config.Shutdown;
        var preStop = container.Find("lifecycle", "preStop", "sleep", "seconds") is YamlScalarNode { Value: var seconds }
            ? TimeSpan.FromSeconds(int.Parse(seconds!, System.Globalization.CultureInfo.InvariantCulture))
            : TimeSpan.Zero;
        Assert.Null(container.Find("lifecycle", "preStop", "exec"));

        var grace = TimeSpan.FromSeconds(deployment.Int("spec", "template", "spec", "terminationGracePeriodSeconds"));

        var needed = preStop + shutdown.HostShutdownTimeout;
        Assert.True(grace >= needed + TimeSpan.FromSeconds(5), $"grace {grace} must exceed preStop {preStop} + drain {shutdown.DrainDelay} + timeout {shutdown.Timeout} by a margin");
        Assert.True(grace <= needed + TimeSpan.FromSeconds(30), $"grace {grace} is far above what shutdown needs ({needed})");
        Assert.Equal(new ShutdownOptions().DrainDelay, shutdown.DrainDelay);
        Assert.Equal(new ShutdownOptions().Timeout, shutdown.Timeout);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Manifest_Metrics_PrometheusPortConfiguredExposedAndAnnotated(string name) => TestTimeouts.RunSync(() =>
    {
        var (deployment, service, container, config) = Load(name);
        var metricsPort = container.Seq("ports").Named("metrics").Int("containerPort");

        Assert.Equal(metricsPort, config.Telemetry.PrometheusPort);
        Assert.NotEqual(container.Seq("ports").Named("grpc").Int("containerPort"), metricsPort);
        Assert.Equal(metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), deployment.Str("spec", "template", "metadata", "annotations", "prometheus.io/port"));
        Assert.Equal(GrpcMesh.ServiceDefaults.Telemetry.PrometheusEndpoint.Path, deployment.Str("spec", "template", "metadata", "annotations", "prometheus.io/path"));
        Assert.Equal(metricsPort, service.Seq("spec", "ports").Named("metrics").Int("port"));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Manifest_Pod_ResourcesNonRootAndStorageOnVolume(string name) => TestTimeouts.RunSync(() =>
    {
        var (deployment, _, container, config) = Load(name);

        foreach (var kind in new[] { "requests", "limits" })
        {
            Assert.False(string.IsNullOrEmpty(container.Str("resources", kind, "cpu")));
            Assert.False(string.IsNullOrEmpty(container.Str("resources", kind, "memory")));
        }

        Assert.Equal("true", deployment.Str("spec", "template", "spec", "securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", deployment.Str("spec", "template", "spec", "securityContext", "runAsUser"));
        Assert.Equal("false", container.Str("securityContext", "allowPrivilegeEscalation"));
        var dataDirectory = config.Pod["Storage:DataDirectory"];
        Assert.Contains(container.Seq("volumeMounts"), m => m.Str("mountPath") == dataDirectory);
        Assert.Equal(1, deployment.Int("spec", "replicas"));
        Assert.Equal("Recreate", deployment.Str("spec", "strategy", "type"));
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Dockerfile_MultiStageNonRoot_ExposesManifestPortsAndRunsTheService(string name) => TestTimeouts.RunSync(() =>
    {
        var (_, _, container, _) = Load(name);
        var project = Services[name];
        var dockerfile = DockerfileSpec.Load(RepoPaths.PathOf("deploy", $"Dockerfile.{name}"));

        Assert.True(dockerfile.Stages.Count >= 2, "multi-stage build expected");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", dockerfile.All("FROM", dockerfile.Stages[0]).Single(), StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", dockerfile.All("FROM", dockerfile.Final).Single(), StringComparison.Ordinal);
        var user = dockerfile.All("USER", dockerfile.Final).Last();
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });

        var exposed = dockerfile.All("EXPOSE", dockerfile.Final).SelectMany(e => e.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(int.Parse).ToList();
        Assert.Contains(container.Seq("ports").Named("grpc").Int("containerPort"), exposed);
        Assert.Contains(container.Seq("ports").Named("metrics").Int("containerPort"), exposed);
        Assert.Contains($"\"{project}.dll\"", dockerfile.All("ENTRYPOINT", dockerfile.Final).Single(), StringComparison.Ordinal);
        Assert.Contains(dockerfile.All("RUN", dockerfile.Stages[0]), run => run.Contains($"services/{project}/{project}.csproj", StringComparison.Ordinal));

        foreach (var copy in dockerfile.All("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)))
        {
            var sources = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            Assert.All(sources, source => Assert.True(
                File.Exists(RepoPaths.PathOf(source)) || Directory.Exists(RepoPaths.PathOf(source)), $"COPY source {source} does not exist"));
        }

        var ignore = File.ReadAllLines(RepoPaths.PathOf("deploy", $"Dockerfile.{name}.dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Kustomization_ListsEveryServiceManifest() => TestTimeouts.RunSync(() =>
    {
        var kustomization = Assert.Single(YamlNav.LoadDocuments(RepoPaths.PathOf("deploy", "k8s", "base", "kustomization.yaml")));

        var resources = kustomization.Seq("resources").Select(r => ((YamlScalarNode)r).Value).ToList();

        Assert.Equal(Services.Keys.Select(n => $"{n}.yaml").Order(), resources.Order());
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Manifest_OrderServiceUsesHeadlessUserServiceForClientSideBalancing() => TestTimeouts.RunSync(() =>
    {
        var users = YamlNav.LoadDocuments(RepoPaths.PathOf("deploy", "k8s", "base", "userservice.yaml"));
        var headless = Assert.Single(users, d => d.Str("kind") == "Service" && d.Find("spec", "clusterIP") is YamlScalarNode { Value: "None" });
        Assert.Equal("userservice", headless.Str("spec", "selector", "app.kubernetes.io/name"));
        var grpcPort = headless.Seq("spec", "ports").Named("grpc");
        Assert.Equal("5001", grpcPort.Str("port"));

        var (_, _, orders, _) = Load("orderservice");
        var address = orders.Seq("env").Named("Clients__UserService__Address").Str("value");
        Assert.Equal($"dns:///{headless.Str("metadata", "name")}:5001", address);
    }, TestContext.Current.CancellationToken);

    /// <summary>
    /// Local runs listen where the launch profile says; no appsettings file may carry "Urls", which would beat the
    /// listen address an image sets (the pod harness proves the image side by running it).
    /// </summary>
    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(ServiceNames))]
    public Task Appsettings_NoListenAddress_LaunchProfileOnLoopback(string name) => TestTimeouts.RunSync(() =>
    {
        foreach (var file in Directory.GetFiles(RepoPaths.PathOf("services", Services[name]), "appsettings*.json"))
        {
            var settings = new ConfigurationBuilder().AddJsonFile(file).Build();
            Assert.Null(settings["Urls"]);
            Assert.Empty(settings.GetSection("Kestrel:Endpoints").GetChildren());
        }

        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(LaunchProfileUrl(Services[name]).Host)));
    }, TestContext.Current.CancellationToken);

    private static Uri LaunchProfileUrl(string project)
    {
        using var launch = System.Text.Json.JsonDocument.Parse(File.ReadAllText(RepoPaths.PathOf("services", project, "Properties", "launchSettings.json")));
        return new Uri(launch.RootElement.GetProperty("profiles").GetProperty(project).GetProperty("applicationUrl").GetString()!);
    }

    private static (YamlMappingNode Deployment, YamlMappingNode Service, YamlNode Container, PodConfiguration Config) Load(string name)
    {
        var documents = YamlNav.LoadDocuments(RepoPaths.PathOf("deploy", "k8s", "base", $"{name}.yaml"));
        var deployment = Assert.Single(documents, d => d.Str("kind") == "Deployment");
        var service = Assert.Single(documents, d => d.Str("kind") == "Service" && d.Str("metadata", "name") == name);
        Assert.Equal(name, deployment.Str("metadata", "name"));
        var container = deployment.Seq("spec", "template", "spec", "containers").Named(name);
        return (deployment, service, container, PodConfiguration.Load(Services[name], container));
    }
}

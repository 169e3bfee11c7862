using GrpcMesh.Deploy.Tests.Harness;
using GrpcMesh.Deploy.Tests.Manifests;
using GrpcMesh.Testing;
using YamlDotNet.RepresentationModel;

namespace GrpcMesh.Deploy.Tests.Observability;

/// <summary>
/// The scrape wiring of deploy/: the pods' prometheus.io annotations, the PodMonitor (rendered by kubectl kustomize from
/// deploy/observability/prometheus-operator) and the alternative ServiceMonitor all point at the port and path each
/// Deployment serves metrics on (Telemetry__PrometheusPort), and name the job after the service, as the rules expect.
/// </summary>
public sealed class ScrapeConfigurationTests
{
    public static TheoryData<string> Variants => new("k8s", "k8s/postgres");

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(Variants))]
    public async Task PodAnnotationsAndPodMonitor_EveryWorkload_ScrapedOnItsMetricsPortAsItsOwnJob(string variant)
    {
        var rendered = await RenderedManifests.RenderAsync(variant.Split('/'));
        var monitors = await RenderedManifests.RenderAsync("observability", "prometheus-operator");
        var podMonitor = Assert.Single(monitors.OfKind("PodMonitor"));
        Assert.Equal("monitoring.coreos.com/v1", podMonitor.Str("apiVersion"));
        var endpoint = Assert.Single(podMonitor.Seq("spec", "podMetricsEndpoints"));
        var jobLabel = podMonitor.Str("spec", "jobLabel");

        Assert.Equal(2, rendered.Workloads.Count);
        foreach (var deployment in rendered.OfKind("Deployment"))
        {
            var workload = Workload.Parse(deployment);
            var port = MetricsPort(workload);
            var annotations = Labels(deployment.Map("spec", "template", "metadata", "annotations"));

            Assert.Equal("true", annotations["prometheus.io/scrape"]);
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
            Assert.Equal("/metrics", annotations["prometheus.io/path"]);

            Assert.True(Selects(podMonitor.Map("spec", "selector", "matchLabels"), workload.Labels), $"the PodMonitor does not select {workload.Name}'s pods");
            Assert.Equal(port, workload.Ports[endpoint.Str("port")]);
            Assert.Equal(annotations["prometheus.io/path"], endpoint.Str("path"));
            Assert.Equal(workload.Name, workload.Labels[jobLabel]);
        }
    }

    [Theory(Timeout = TestTimeouts.Default)]
    [MemberData(nameof(Variants))]
    public async Task ServiceMonitor_EveryWorkload_ScrapedThroughExactlyOneServiceOnItsMetricsPort(string variant)
    {
        var rendered = await RenderedManifests.RenderAsync(variant.Split('/'));
        var serviceMonitor = Assert.Single(YamlNav.LoadDocuments(RepoPaths.PathOf("deploy", "observability", "prometheus-operator", "servicemonitor.yaml")));
        Assert.Equal("ServiceMonitor", serviceMonitor.Str("kind"));
        var endpoint = Assert.Single(serviceMonitor.Seq("spec", "endpoints"));
        var selector = serviceMonitor.Map("spec", "selector", "matchLabels");
        var jobLabel = serviceMonitor.Str("spec", "jobLabel");

        foreach (var workload in rendered.Workloads)
        {
            // The Services the monitor selects that expose its port and send it to this workload's pods.
            var scraped = rendered.OfKind("Service")
                .Where(s => Selects(selector, Labels(s.Map("metadata", "labels"))))
                .Where(s => Labels(s.Map("spec", "selector")).All(l => workload.Labels.GetValueOrDefault(l.Key) == l.Value))
                .Select(s => (Service: s, Port: s.Seq("spec", "ports").FirstOrDefault(p => p.Str("name") == endpoint.Str("port"))))
                .Where(s => s.Port is not null)
                .ToList();

            var (service, port) = Assert.Single(scraped);
            var targetPort = port!.Str("targetPort");
            Assert.Equal(MetricsPort(workload), int.TryParse(targetPort, out var number) ? number : workload.Ports[targetPort]);
            Assert.Equal("/metrics", endpoint.Str("path"));
            Assert.Equal(workload.Name, Labels(service.Map("metadata", "labels"))[jobLabel]);
        }
    }

    /// <summary>The port the workload's environment tells the service to serve metrics on, which the container must expose.</summary>
    private static int MetricsPort(Workload workload)
    {
        var configured = int.Parse(Assert.Single(workload.Environment, e => e.Name == "Telemetry__PrometheusPort").Value!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(configured, workload.Ports.Values);
        return configured;
    }

    private static Dictionary<string, string> Labels(YamlMappingNode map) => map.Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString());

    private static bool Selects(YamlMappingNode matchLabels, IReadOnlyDictionary<string, string> labels) =>
        matchLabels.Children.All(c => labels.GetValueOrDefault(c.Key.ToString()) == c.Value.ToString());
}

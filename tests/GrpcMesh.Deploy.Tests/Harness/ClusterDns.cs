using System.Net;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// Cluster DNS as a hosts file that pods see as their /etc/hosts (bind-mounted in their private mount namespace):
/// every Service name resolves to the addresses of the ready, not terminating pods it selects (the endpoints
/// controller's view). A ClusterIP Service is modelled like the headless one: kube-proxy's virtual IP would balance
/// connections over the same endpoints. The file is rewritten in place, so the bind mounts see every change.
/// </summary>
internal sealed class ClusterDns(string path, IReadOnlyList<ServiceEntry> services)
{
    private readonly Lock _gate = new();

    public string HostsFile => path;

    public void Publish(IEnumerable<Pod> pods)
    {
        var endpoints = pods.Where(p => p.Ready && !p.Terminating).ToList();
        var lines = new List<string> { "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback" };
        foreach (var service in services)
        {
            lines.AddRange(endpoints.Where(p => service.Selects(p.Workload.Labels)).Select(p => $"{p.Address}\t{service.Name}"));
        }

        lock (_gate)
        {
            using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(0);
            using var writer = new StreamWriter(file);
            writer.Write(string.Join('\n', lines) + "\n");
        }
    }

    public IReadOnlyList<IPAddress> Resolve(string serviceName) =>
        File.ReadAllLines(path).Select(l => l.Split('\t')).Where(p => p.Length == 2 && p[1] == serviceName).Select(p => IPAddress.Parse(p[0])).ToList();
}

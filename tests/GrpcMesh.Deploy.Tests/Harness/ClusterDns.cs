namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// Cluster DNS as a hosts file that pods see as their /etc/hosts (bind-mounted in their private mount namespace):
/// every Service name resolves to the addresses of the not terminating pods it selects, ready ones only unless it sets publishNotReadyAddresses (the endpoints
/// controller's view). A ClusterIP Service is modelled like the headless one: kube-proxy's virtual IP would balance
/// connections over the same endpoints. The file is rewritten in place, so the bind mounts see every change.
/// </summary>
internal sealed class ClusterDns(string path, IReadOnlyList<ServiceEntry> services)
{
    private readonly Lock _gate = new();

    public string HostsFile => path;

    public void Publish(IEnumerable<Pod> pods)
    {
        var live = pods.Where(p => !p.Terminating).ToList();
        var lines = new List<string> { "127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback" };
        foreach (var service in services)
        {
            lines.AddRange(live.Where(p => (p.Ready || service.PublishNotReadyAddresses) && service.Selects(p.Workload.Labels))
                .Select(p => $"{p.Address}\t{service.Name}"));
        }

        lock (_gate)
        {
            using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
            file.SetLength(0);
            using var writer = new StreamWriter(file);
            writer.Write(string.Join('\n', lines) + "\n");
        }
    }
}

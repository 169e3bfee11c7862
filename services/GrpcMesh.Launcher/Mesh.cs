using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace GrpcMesh.Launcher;

/// <summary>
/// Starts UserService, then OrderService wired to it, each as its own process on its launchSettings.json addresses: gRPC
/// and the HTTP edge (<c>--user-url</c> / <c>--order-url</c> and <c>--user-http-url</c> / <c>--order-http-url</c> on the
/// command line override them, e.g. when 5001/5002 or 5011/5012 are taken). Ctrl+C or SIGTERM
/// stops both at once: each drains for its Development <c>Shutdown:DrainDelay</c>, in parallel.
/// </summary>
internal static class Mesh
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    public static IReadOnlyList<MeshService> Services(MeshArguments options)
    {
        var userDirectory = MeshService.Metadata("GrpcMesh.UserService.Dir");
        var orderDirectory = MeshService.Metadata("GrpcMesh.OrderService.Dir");
        var userAddress = options.UserUrl ?? LaunchSettings.ApplicationUrl(userDirectory);
        return
        [
            Service("UserService", userDirectory, userAddress, options.UserHttpUrl,
                MeshMetrics.Environment(options.UserUrl is null ? MeshMetrics.UserServicePort : 0)),
            Service("OrderService", orderDirectory, options.OrderUrl ?? LaunchSettings.ApplicationUrl(orderDirectory), options.OrderHttpUrl,
                new Dictionary<string, string>(MeshMetrics.Environment(options.OrderUrl is null ? MeshMetrics.OrderServicePort : 0))
                {
                    ["Clients__UserService__Address"] = userAddress.ToString().TrimEnd('/'),
                }),
        ];
    }

    /// <summary>The service on <paramref name="address"/>, its HTTP edge on <paramref name="httpUrl"/> or where its launch profile puts it.</summary>
    private static MeshService Service(string name, string directory, Uri address, Uri? httpUrl, Dictionary<string, string> environment)
    {
        var edge = httpUrl ?? LaunchSettings.HttpUrl(directory);
        if (edge is not null)
        {
            environment["Http__Port"] = edge.Port.ToString(CultureInfo.InvariantCulture);
            environment["Http__Address"] = edge.Host;
        }

        return new MeshService(name, directory, address, edge, environment);
    }

    public static async Task<int> RunAsync(IReadOnlyList<MeshService> services, bool build, bool verbose)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        if (build && !await ServiceBuild.RunAsync(services, stop.Token))
        {
            return 1;
        }

        var started = new List<ChildProcess>();
        try
        {
            foreach (var service in services)
            {
                if (!File.Exists(service.AssemblyPath))
                {
                    Console.Error.WriteLine($"{service.AssemblyPath} not found: build the solution first (dotnet build GrpcMesh.sln), or run without --no-build");
                    return 1;
                }

                var process = new ChildProcess(service, verbose);
                started.Add(process);
                Console.WriteLine($"starting {service.Name} on {service.Address}…");
                process.Start();
                if (!await HealthWaiter.WaitServingAsync(service.Address, process, StartTimeout, stop.Token))
                {
                    if (stop.IsCancellationRequested)
                    {
                        return 0;
                    }

                    Console.Error.WriteLine(process.HasExited
                        ? $"{service.Name} exited with code {process.ExitCode} before it was SERVING (its output is above)"
                        : $"{service.Name} did not become SERVING on {service.Address} within {StartTimeout.TotalSeconds:0} s");
                    return 1;
                }
            }

            Console.WriteLine(Banner.Create(services, DevToken.Create(DateTimeOffset.UtcNow)));
            while (!stop.IsCancellationRequested && started.TrueForAll(p => !p.HasExited))
            {
                await Task.Delay(200, CancellationToken.None);
            }

            var crashed = started.Find(p => p.HasExited);
            if (crashed is not null && !stop.IsCancellationRequested)
            {
                Console.Error.WriteLine($"a service exited with code {crashed.ExitCode}; stopping the mesh");
                return 1;
            }

            return 0;
        }
        finally
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(started.Select(p => p.StopAsync(StopTimeout)));
            started.ForEach(p => p.Dispose());
            if (started.Count > 0)
            {
                Console.WriteLine($"stopped {started.Count} service(s) in {clock.Elapsed.TotalSeconds:0.0} s");
            }
        }
    }
}

using GrpcMesh.Launcher;

// Starts UserService, then OrderService wired to it, each as its own process on its default port.
// Ctrl+C (or SIGTERM) stops them gracefully in reverse order.
var userAddress = new Uri(Environment.GetEnvironmentVariable("GRPCMESH_USERSERVICE_URL") ?? "http://127.0.0.1:5001");
var orderAddress = new Uri(Environment.GetEnvironmentVariable("GRPCMESH_ORDERSERVICE_URL") ?? "http://127.0.0.1:5002");
MeshService[] services =
[
    new("UserService", MeshService.Metadata("GrpcMesh.UserService.Dir"), userAddress, new Dictionary<string, string>()),
    new("OrderService", MeshService.Metadata("GrpcMesh.OrderService.Dir"), orderAddress, new Dictionary<string, string>
    {
        ["Clients__UserService__Address"] = userAddress.ToString().TrimEnd('/'),
    }),
];

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
    {
        ctx.Cancel = true;
        stop.Cancel();
    });

var started = new List<ChildProcess>();
var exitCode = 0;
try
{
    foreach (var service in services)
    {
        if (!File.Exists(service.AssemblyPath))
        {
            Console.Error.WriteLine($"{service.AssemblyPath} not found: build the solution first (dotnet build GrpcMesh.sln)");
            return 1;
        }

        var process = new ChildProcess(service);
        started.Add(process);
        process.Start();
        if (!await HealthWaiter.WaitServingAsync(service.Address, process, TimeSpan.FromSeconds(60)))
        {
            Console.Error.WriteLine($"{service.Name} did not become SERVING on {service.Address}");
            exitCode = 1;
            return exitCode;
        }

        Console.WriteLine($"==> {service.Name} SERVING on {service.Address} (h2c)");
    }

    Console.WriteLine("==> GrpcMesh is up (Development: auth with the dev signing key). Ctrl+C to stop.");
    Console.WriteLine($"==> Dev token (every scope, 12 h): export GRPCMESH_TOKEN={DevToken.Create(DateTimeOffset.UtcNow)}");
    Console.WriteLine("    grpcurl -plaintext -H \"authorization: Bearer $GRPCMESH_TOKEN\" 127.0.0.1:5001 list");
    while (!stop.IsCancellationRequested && started.TrueForAll(p => !p.HasExited))
    {
        await Task.Delay(500, CancellationToken.None);
    }

    var crashed = started.Find(p => p.HasExited);
    if (crashed is not null)
    {
        Console.Error.WriteLine($"a service exited with code {crashed.ExitCode}; stopping the mesh");
        exitCode = 1;
    }

    return exitCode;
}
finally
{
    for (var i = started.Count - 1; i >= 0; i--)
    {
        await started[i].StopAsync(TimeSpan.FromSeconds(40));
        started[i].Dispose();
    }
}

using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using GrpcMesh.User.V1;

namespace GrpcMesh.Interop.Tests;

/// <summary>The README's "run the mesh" command: the launcher starts both services wired together and stops them on SIGTERM.</summary>
public sealed class LauncherTests
{
    private const int TestTimeout = 240_000;

    [Fact(Timeout = TestTimeout)]
    public async Task Launcher_StartsWiredMesh_CreateOrderConfirmedAndSigtermStopsEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        var (launcher, devToken) = await LauncherProcess.StartAsync(ct);
        await using var _ = launcher;
        try
        {
            var auth = TestTokens.Bearer(devToken);
            using var userChannel = GrpcChannel.ForAddress(launcher.UserUrl);
            using var orderChannel = GrpcChannel.ForAddress(launcher.OrderUrl);
            var user = (await new User.V1.UserService.UserServiceClient(userChannel).CreateUserAsync(new CreateUserRequest
            {
                Email = "launcher@example.com",
                DisplayName = "Launcher",
                CreditLimit = new Common.V1.Money { CurrencyCode = "USD", Units = 100 },
            }, auth, cancellationToken: ct)).User;
            var request = new CreateOrderRequest { RequestId = "launcher-1", UserId = user.Id };
            request.Items.Add(new OrderItem { Sku = "BOOK", Quantity = 1, UnitPrice = new Common.V1.Money { CurrencyCode = "USD", Units = 30 } });
            var order = (await new Order.V1.OrderService.OrderServiceClient(orderChannel).CreateOrderAsync(request, auth, cancellationToken: ct)).Order;

            Assert.Equal(OrderStatus.Confirmed, order.Status);
            // Development by default: reflection is on, as the README's grpcurl examples need.
            var listed = await Python.RunAsync("grpc_reflect.py", TimeSpan.FromSeconds(60), launcher.UserUrl["http://".Length..], "list");
            Assert.Contains(listed.Single().GetProperty("services").EnumerateArray(), s => s.GetString() == "grpcmesh.user.v1.UserService");
            Assert.True(File.Exists(Path.Combine(launcher.DataDirectory, "users.db")), "UserService did not use the inherited data directory");
            Assert.True(File.Exists(Path.Combine(launcher.DataDirectory, "orders.db")), "OrderService did not use the inherited data directory");

            var stopping = Stopwatch.StartNew();
            await launcher.TerminateAsync();
            await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60));
            // Not a bar (timings are bench's job); the Development drain is 0.5 s and both services drain at once.
            TestContext.Current.TestOutputHelper?.WriteLine($"[launcher] SIGTERM to exit: {stopping.Elapsed.TotalSeconds:0.00} s");
            Assert.Equal(0, launcher.ExitCode);
            Assert.DoesNotContain(Process.GetProcesses(), p => IsChildService(p, launcher.UserUrl, launcher.OrderUrl));
        }
        catch (Exception) when (Dump(launcher))
        {
            throw;
        }
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Launcher_BothServing_OnePlainBannerWithAddressesTokenAndGrpcurlLine()
    {
        var (launcher, token) = await LauncherProcess.StartAsync(TestContext.Current.CancellationToken);
        await using var _ = launcher;

        var lines = launcher.OutputLines.ToList();
        Assert.Single(lines, l => l.StartsWith("GrpcMesh is up", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(launcher.UserUrl, StringComparison.Ordinal) && l.Contains("UserService", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(launcher.OrderUrl, StringComparison.Ordinal) && l.Contains("OrderService", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("UserService", StringComparison.Ordinal) && l.Contains($"JSON API and gRPC-Web at {launcher.UserHttpUrl}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("OrderService", StringComparison.Ordinal) && l.Contains($"JSON API and gRPC-Web at {launcher.OrderHttpUrl}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("grpcurl -plaintext -H \"authorization: Bearer $GRPCMESH_TOKEN\"", StringComparison.Ordinal)
            && l.Contains(launcher.UserUrl["http://".Length..], StringComparison.Ordinal));
        Assert.Equal(3, token.Split('.').Length);
        // The services' Information lines (JSON) are not echoed: nothing buries the banner.
        Assert.DoesNotContain(lines, l => l.Contains("{\"Timestamp\"", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Launcher_Sigterm_StopsBothServicesInParallel()
    {
        // Parallel takes one drain plus the exits; one after the other takes at least two drains whatever the load. So the
        // bound is 2 × drain: it fails any sequential stop and leaves a whole drain (5 s) for two processes to exit.
        var drain = TimeSpan.FromSeconds(5);
        var (launcher, _) = await LauncherProcess.StartAsync(
            TestContext.Current.CancellationToken, new Dictionary<string, string> { ["Shutdown__DrainDelay"] = drain.ToString() });
        await using var __ = launcher;

        var stopping = Stopwatch.StartNew();
        await launcher.TerminateAsync();
        await launcher.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, launcher.ExitCode);
        Assert.True(stopping.Elapsed < drain * 2, $"stopping took {stopping.Elapsed.TotalSeconds:0.0} s:\n{launcher.Output}");
    }

    [Fact(Timeout = TestTimeout)]
    public async Task TokenCommand_ScopeAndLifetime_PrintsOnlyATokenAServiceRunAloneAccepts()
    {
        var ct = TestContext.Current.CancellationToken;
        var (exitCode, stdout, stderr) = await RunLauncherAsync(ct, "token", "--scope", "users.read", "--lifetime", "1h");
        Assert.True(exitCode == 0, stderr);
        var token = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(3, token.Split('.').Length);

        // UserService alone, as `dotnet run --project services/GrpcMesh.UserService` runs it: Development, auth on.
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["environment"] = "Development",
            ["Auth:Enabled"] = "true",
        });
        using var channel = GrpcChannel.ForAddress(service.Address);
        var client = new User.V1.UserService.UserServiceClient(channel);

        await client.ListUsersAsync(new ListUsersRequest { PageSize = 1 }, TestTokens.Bearer(token), cancellationToken: ct);
        await RpcAssert.ThrowsAsync(StatusCode.PermissionDenied, () => client.CreateUserAsync(
            new CreateUserRequest { Email = "x@example.com", DisplayName = "X" }, TestTokens.Bearer(token), cancellationToken: ct));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task TokenCommand_UnknownScope_ExitCode2NamingTheScopes()
    {
        var (exitCode, stdout, stderr) = await RunLauncherAsync(TestContext.Current.CancellationToken, "token", "--scope", "users.admin");

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout.Trim());
        Assert.Contains("users.read, users.write, orders.read, orders.write", stderr, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunLauncherAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(LauncherProcess.Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static bool Dump(LauncherProcess launcher)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', launcher.OutputLines.TakeLast(60)));
        return false;
    }

    private static bool IsChildService(Process process, string userUrl, string orderUrl)
    {
        try
        {
            var commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
            return commandLine.Contains(userUrl, StringComparison.Ordinal) || commandLine.Contains(orderUrl, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Interop.Tests;

/// <summary>The README's "run the mesh" command: the launcher starts both services wired together and stops them on SIGTERM.</summary>
public sealed class LauncherTests
{
    [Fact]
    public async Task Launcher_StartsWiredMesh_CreateOrderConfirmedAndSigtermStopsEverything()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("grpcmesh-launcher");
        var userUrl = $"http://127.0.0.1:{FreePort()}";
        var orderUrl = $"http://127.0.0.1:{FreePort()}";
        var launcherDll = Path.Combine(Repo.Root, "services", "GrpcMesh.Launcher", "bin", Repo.Configuration, Repo.TargetFramework, "GrpcMesh.Launcher.dll");
        Assert.True(File.Exists(launcherDll), $"{launcherDll} missing; build the solution first");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(launcherDll);
        start.Environment["GRPCMESH_USERSERVICE_URL"] = userUrl;
        start.Environment["GRPCMESH_ORDERSERVICE_URL"] = orderUrl;
        start.Environment["Storage__DataDirectory"] = data.Path;
        start.Environment["Shutdown__DrainDelay"] = "00:00:00.200";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var output = new ConcurrentQueue<string>();
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? devToken = null;
        using var launcher = Process.Start(start)!;
        launcher.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            const string TokenMarker = "export GRPCMESH_TOKEN=";
            if (e.Data.IndexOf(TokenMarker, StringComparison.Ordinal) is var at and >= 0)
            {
                // Printed right after "GrpcMesh is up": both services are SERVING by then.
                devToken = e.Data[(at + TokenMarker.Length)..].Trim();
                up.TrySetResult();
            }
        };
        launcher.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        launcher.BeginOutputReadLine();
        launcher.BeginErrorReadLine();
        try
        {
            await up.Task.WaitAsync(TimeSpan.FromSeconds(90), ct);

            Assert.False(string.IsNullOrEmpty(devToken), "the launcher printed no development token");
            var auth = new Grpc.Core.Metadata { { "authorization", $"Bearer {devToken}" } };
            using var userChannel = GrpcChannel.ForAddress(userUrl);
            using var orderChannel = GrpcChannel.ForAddress(orderUrl);
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
            var listed = await Python.RunAsync("grpc_reflect.py", TimeSpan.FromSeconds(60), userUrl["http://".Length..], "list");
            Assert.Contains(listed.Single().GetProperty("services").EnumerateArray(), s => s.GetString() == "grpcmesh.user.v1.UserService");
            Assert.True(File.Exists(Path.Combine(data.Path, "users.db")), "UserService did not use the inherited data directory");
            Assert.True(File.Exists(Path.Combine(data.Path, "orders.db")), "OrderService did not use the inherited data directory");

            using (var kill = Process.Start("kill", ["-TERM", launcher.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(ct);
            }

            using var exitWait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await launcher.WaitForExitAsync(exitWait.Token);
            Assert.Equal(0, launcher.ExitCode);
            Assert.DoesNotContain(Process.GetProcesses(), p => IsChildService(p, userUrl, orderUrl));
        }
        catch (Exception) when (Dump(output))
        {
            throw;
        }
        finally
        {
            if (!launcher.HasExited)
            {
                launcher.Kill(entireProcessTree: true);
            }
        }
    }

    private static bool Dump(IEnumerable<string> output)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', output.TakeLast(60)));
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMesh.Common.V1;
using GrpcMesh.Order.V1;
using GrpcMesh.User.V1;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// An open-loop load on a running OrderService (wired to a UserService): at a fixed pace, one CreateOrder for a real user
/// (GetUser + ReserveCredit upstream) and one GetOrder of an unknown order (NOT_FOUND, a business outcome) per tick.
/// Every call's start time and final status are kept, so a test can compare what it sent with what was measured.
/// </summary>
internal sealed class MeshLoad : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Order.V1.OrderService.OrderServiceClient _orders;
    private readonly string _userId;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _calls = [];
    private readonly ConcurrentQueue<(string Method, DateTimeOffset Sent, StatusCode Status, string Detail)> _results = new();
    private Task _loop = Task.CompletedTask;
    private int _sequence;

    private MeshLoad(GrpcChannel channel, string userId, double ticksPerSecond)
    {
        _channel = channel;
        _orders = new Order.V1.OrderService.OrderServiceClient(channel);
        _userId = userId;
        _interval = TimeSpan.FromSeconds(1 / ticksPerSecond);
    }

    public IReadOnlyCollection<(string Method, DateTimeOffset Sent, StatusCode Status, string Detail)> Results => _results;

    /// <summary>Creates a user with credit for every order of the run, then starts the load.</summary>
    public static async Task<MeshLoad> StartAsync(Uri userService, Uri orderService, double ticksPerSecond)
    {
        using (var userChannel = GrpcChannel.ForAddress(userService))
        {
            var user = (await new User.V1.UserService.UserServiceClient(userChannel).CreateUserAsync(new CreateUserRequest
            {
                Email = $"load-{Guid.NewGuid():N}@example.com",
                DisplayName = "Load",
                CreditLimit = new Money { CurrencyCode = "USD", Units = 10_000_000 },
            }, cancellationToken: TestContext.Current.CancellationToken)).User;
            var load = new MeshLoad(GrpcChannel.ForAddress(orderService), user.Id, ticksPerSecond);
            load._loop = Task.Run(load.RunAsync);
            return load;
        }
    }

    /// <summary>Calls of <paramref name="method"/> sent in [from, to) per second.</summary>
    public double RateSent(string method, DateTimeOffset from, DateTimeOffset to) =>
        _results.Count(r => r.Method == method && r.Sent >= from && r.Sent < to) / (to - from).TotalSeconds;

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                _calls.Add(CallAsync("CreateOrder", () => _orders.CreateOrderAsync(NewOrder(), deadline: Deadline()).ResponseAsync));
                _calls.Add(CallAsync("GetOrder", () => _orders.GetOrderAsync(
                    new GetOrderRequest { OrderId = "ord_" + Guid.CreateVersion7().ToString("N") }, deadline: Deadline()).ResponseAsync));
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task CallAsync(string method, Func<Task> call)
    {
        var sent = DateTimeOffset.UtcNow;
        try
        {
            await call();
            _results.Enqueue((method, sent, StatusCode.OK, ""));
        }
        catch (RpcException ex)
        {
            _results.Enqueue((method, sent, ex.StatusCode, ex.Status.Detail));
        }
    }

    private CreateOrderRequest NewOrder()
    {
        var request = new CreateOrderRequest { RequestId = $"load-{Guid.NewGuid():N}-{Interlocked.Increment(ref _sequence)}", UserId = _userId };
        request.Items.Add(new OrderItem { Sku = "BOOK", Quantity = 1, UnitPrice = new Money { CurrencyCode = "USD", Units = 1 } });
        return request;
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);

    /// <summary>Stops sending and waits for the calls in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await Task.WhenAll(_calls);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _channel.Dispose();
    }
}

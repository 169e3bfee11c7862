using BenchmarkDotNet.Attributes;
using Grpc.Core.Interceptors;
using Grpc.Net.ClientFactory;
using GrpcMesh.Clients;
using GrpcMesh.Clients.Telemetry;
using GrpcMesh.User.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UserServiceClient = GrpcMesh.User.V1.UserService.UserServiceClient;

namespace GrpcMesh.Benchmarks.Client;

/// <summary>
/// GrpcMesh.Clients' interceptor pipeline per unary call on the happy path, without the network: the one
/// <c>ResilienceInterceptor</c> (deadline, retry and circuit-breaker stages) that <c>AddUserServiceClient</c> registers,
/// built through Grpc.Net.ClientFactory's public registration, in front of an <see cref="InMemoryCallInvoker"/>.
/// <see cref="NoInterceptors"/> is the generated client alone; <see cref="EmptyInterceptor_Plumbing"/> what
/// Grpc.Core.Api's interceptor plumbing costs before an interceptor does anything. With <see cref="AsyncCompletion"/> the
/// response arrives after a thread-pool hop, as a real one does, so the work a synchronously completed call skips
/// (the per-call wrapper and its async method) is paid for too.
/// </summary>
[MemoryDiagnoser]
public class ClientPipelineBenchmarks
{
    private static readonly GetUserRequest Request = new() { UserId = "usr_01JD4X2Y7ZK3Q9" };

    private ServiceProvider _services = null!;
    private UserServiceClient _bare = null!;
    private UserServiceClient _emptyInterceptor = null!;
    private UserServiceClient _pipeline = null!;

    [Params(false, true)]
    public bool AsyncCompletion { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddUserServiceClient(o => o.Address = new Uri("http://127.0.0.1:5001"));
        _services = services.BuildServiceProvider();
        var registrations = _services.GetRequiredService<IOptionsMonitor<GrpcClientFactoryOptions>>()
            .Get(GrpcMeshClientNames.UserService).InterceptorRegistrations;
        // The call-duration metric (outermost) records nothing without a listener; the rows measure the resilience stages.
        var interceptors = registrations.Select(r => r.Creator(_services)).Where(i => i is not RpcClientMetricsInterceptor).ToArray();
        if (interceptors.Length != 1)
        {
            throw new InvalidOperationException($"expected the one resilience interceptor, found {interceptors.Length}");
        }

        var invoker = new InMemoryCallInvoker(new GetUserResponse { User = new GrpcMesh.User.V1.User { Id = Request.UserId } }, AsyncCompletion);
        _bare = new UserServiceClient(invoker);
        _emptyInterceptor = new UserServiceClient(invoker.Intercept(new EmptyInterceptor()));
        _pipeline = new UserServiceClient(invoker.Intercept(interceptors[0]));
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    private sealed class EmptyInterceptor : Interceptor;

    [Benchmark(Baseline = true)]
    public async Task<GetUserResponse> NoInterceptors() => await _bare.GetUserAsync(Request);

    /// <summary>What Grpc.Core.Api's interceptor plumbing costs per interceptor, before the interceptor does anything.</summary>
    [Benchmark]
    public async Task<GetUserResponse> EmptyInterceptor_Plumbing() => await _emptyInterceptor.GetUserAsync(Request);

    /// <summary>Deadline, retry and circuit-breaker stages, as registered by <c>AddUserServiceClient</c>.</summary>
    [Benchmark]
    public async Task<GetUserResponse> Pipeline() => await _pipeline.GetUserAsync(Request);
}

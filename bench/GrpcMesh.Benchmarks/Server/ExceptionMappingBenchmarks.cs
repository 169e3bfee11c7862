using BenchmarkDotNet.Attributes;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrpcMesh.Benchmarks.Server;

/// <summary>
/// ServiceDefaults' <see cref="ExceptionMappingInterceptor"/> around a unary handler: the happy path (what every call
/// pays) against calling the handler directly, and the failure path (an unexpected exception becomes INTERNAL).
/// </summary>
[MemoryDiagnoser]
public class ExceptionMappingBenchmarks
{
    private static readonly GetUserRequest Request = new() { UserId = "usr_0123456789" };

    private readonly ExceptionMappingInterceptor _interceptor = new(NullLogger<ExceptionMappingInterceptor>.Instance);
    private readonly FakeServerCallContext _context = new("/grpcmesh.user.v1.UserService/GetUser", DateTime.MaxValue, CancellationToken.None);
    private readonly Task<GetUserResponse> _completed = Task.FromResult(new GetUserResponse());
    private UnaryServerMethod<GetUserRequest, GetUserResponse> _ok = null!;
    private UnaryServerMethod<GetUserRequest, GetUserResponse> _throws = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ok = (_, _) => _completed;
        _throws = (_, _) => throw new InvalidOperationException("boom");
    }

    [Benchmark(Baseline = true)]
    public Task<GetUserResponse> HandlerOnly() => _ok(Request, _context);

    [Benchmark]
    public Task<GetUserResponse> Interceptor_Ok() => _interceptor.UnaryServerHandler(Request, _context, _ok);

    [Benchmark]
    public async Task<StatusCode> Interceptor_UnexpectedException_Internal()
    {
        try
        {
            await _interceptor.UnaryServerHandler(Request, _context, _throws).ConfigureAwait(false);
            return StatusCode.OK;
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}

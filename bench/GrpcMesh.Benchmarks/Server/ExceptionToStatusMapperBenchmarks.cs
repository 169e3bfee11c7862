using BenchmarkDotNet.Attributes;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.Storage;
using GrpcMesh.User.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrpcMesh.Benchmarks.Server;

/// <summary>
/// ServiceDefaults' <see cref="ExceptionToStatusMapper"/> on the path a failing call takes through ServerCallInterceptor:
/// a handler's <see cref="RpcException"/> passes through unmapped (the baseline); anything else is caught, mapped and the
/// status thrown in its place. A call that succeeds never reaches the mapper, so there is no success-path row.
/// </summary>
[MemoryDiagnoser]
public class ExceptionToStatusMapperBenchmarks
{
    private static readonly GetUserRequest Request = new() { UserId = "usr_0123456789" };

    private readonly ExceptionToStatusMapper _mapper = new(NullLogger<ExceptionToStatusMapper>.Instance);
    private readonly FakeServerCallContext _context = new("/grpcmesh.user.v1.UserService/GetUser", DateTime.MaxValue, CancellationToken.None);
    private UnaryServerMethod<GetUserRequest, GetUserResponse> _notFound = null!;
    private UnaryServerMethod<GetUserRequest, GetUserResponse> _unexpected = null!;
    private UnaryServerMethod<GetUserRequest, GetUserResponse> _storeUnavailable = null!;

    [GlobalSetup]
    public void Setup()
    {
        _notFound = (_, _) => throw new RpcException(new Status(StatusCode.NotFound, "user 'usr_0123456789' not found"));
        _unexpected = (_, _) => throw new InvalidOperationException("boom");
        _storeUnavailable = (_, _) => throw new StoreUnavailableException("the users database is busy", new TimeoutException());
    }

    [Benchmark(Baseline = true)]
    public Task<StatusCode> RpcException_PassedThrough() => CallAsync(_notFound);

    [Benchmark]
    public Task<StatusCode> UnexpectedException_Internal() => CallAsync(_unexpected);

    [Benchmark]
    public Task<StatusCode> StoreUnavailable_Unavailable() => CallAsync(_storeUnavailable);

    /// <summary>ServerCallInterceptor's catch clauses around the handler, and the caller that sees the thrown status.</summary>
    private async Task<StatusCode> CallAsync(UnaryServerMethod<GetUserRequest, GetUserResponse> handler)
    {
        try
        {
            try
            {
                await handler(Request, _context);
                return StatusCode.OK;
            }
            catch (RpcException)
            {
                throw;
            }
            catch (Exception ex)
            {
                throw _mapper.Map(ex, _context);
            }
        }
        catch (RpcException ex)
        {
            return ex.StatusCode;
        }
    }
}

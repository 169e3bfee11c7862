using Google.Rpc;
using Grpc.Core;
using Xunit;

namespace GrpcMesh.Testing;

/// <summary>Assertions on gRPC failures: status code, message and google.rpc.Status details.</summary>
public static class RpcAssert
{
    public static async Task<RpcException> ThrowsAsync(StatusCode expected, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(expected == ex.StatusCode, $"expected {expected}, got {ex.StatusCode}: {ex.Status.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(ex.Status.Detail), "status message must not be empty");
        return ex;
    }

    public static Task<RpcException> ThrowsAsync<T>(StatusCode expected, Func<AsyncUnaryCall<T>> call) =>
        ThrowsAsync(expected, async () => await call());

    /// <summary>Asserts INVALID_ARGUMENT whose BadRequest details name exactly <paramref name="fields"/>.</summary>
    public static async Task<BadRequest> InvalidArgumentAsync<T>(Func<AsyncUnaryCall<T>> call, params string[] fields)
    {
        var ex = await ThrowsAsync(StatusCode.InvalidArgument, call);
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(fields.Order(), badRequest.FieldViolations.Select(v => v.Field).Order());
        Assert.All(badRequest.FieldViolations, v => Assert.False(string.IsNullOrWhiteSpace(v.Description)));
        return badRequest;
    }
}

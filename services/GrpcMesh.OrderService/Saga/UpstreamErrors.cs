using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.OrderService.Upstream;
using GrpcMesh.ServiceDefaults.Errors;

namespace GrpcMesh.OrderService.Saga;

/// <summary>What the caller of OrderService sees when a UserService call fails without a definite answer.</summary>
public static class UpstreamErrors
{
    /// <param name="consequence">What happened to the order, e.g. "no order was created".</param>
    /// <remarks>
    /// A rejected service credential is answered INTERNAL, not with UserService's UNAUTHENTICATED/PERMISSION_DENIED:
    /// the caller's own credentials were fine, and passing the downstream auth code through would tell it otherwise.
    /// </remarks>
    public static RpcException ForCaller(UpstreamFailure failure, string operation, string consequence) => failure.Kind switch
    {
        StatusKind.CredentialRefusal => RpcErrors.Internal(
            $"OrderService's service credential was rejected by UserService ({CodeName(failure.Code)}) on {operation}: {failure.Detail}; " +
            $"{consequence}. Check Auth:SigningKey/Issuer/Audience (shared with UserService) or Clients:UserService:Auth"),
        StatusKind.Timeout => new RpcException(new Status(StatusCode.DeadlineExceeded,
            $"UserService did not answer {operation} before the deadline; {consequence}")),
        StatusKind.Cancelled => new RpcException(new Status(StatusCode.Cancelled,
            $"the call was cancelled while waiting for UserService {operation}; {consequence}")),
        // ABORTED: a concurrent change in UserService; the caller may retry the whole operation.
        StatusKind.Unavailable or StatusKind.Overload or StatusKind.Conflict when failure.Code is not (StatusCode.AlreadyExists or StatusCode.Unimplemented) => RpcErrors.Unavailable(
            $"UserService is unavailable ({operation}: {failure}); {consequence}"),
        _ => RpcErrors.Internal($"UserService failed {operation} ({failure}); {consequence}"),
    };

    private static string CodeName(StatusCode code) => code == StatusCode.Unauthenticated ? "UNAUTHENTICATED" : "PERMISSION_DENIED";
}

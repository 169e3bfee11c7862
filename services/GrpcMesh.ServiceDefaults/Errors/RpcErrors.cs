using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcMesh.ServiceDefaults.Validation;
using GrpcStatus = Google.Rpc.Status;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// Builds <see cref="RpcException"/>s that carry a <c>google.rpc.Status</c> with structured details
/// (BadRequest, ResourceInfo, PreconditionFailure, ErrorInfo) in the <c>grpc-status-details-bin</c> trailer.
/// Service code throws these; <see cref="Hosting.ServerCallInterceptor"/> passes them through unchanged.
/// </summary>
public static class RpcErrors
{
    public const string Domain = "grpcmesh.dev";

    public static RpcException InvalidArgument(IReadOnlyList<FieldViolation> violations)
    {
        ArgumentOutOfRangeException.ThrowIfZero(violations.Count);
        var badRequest = new BadRequest();
        foreach (var v in violations)
        {
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description });
        }

        var message = violations.Count == 1
            ? $"invalid {violations[0].Field}: {violations[0].Description}"
            : $"{violations.Count} invalid fields: " + string.Join("; ", violations.Select(v => $"{v.Field}: {v.Description}"));
        return Build(Code.InvalidArgument, message, badRequest);
    }

    public static RpcException InvalidArgument(string field, string description) =>
        InvalidArgument([new FieldViolation(field, description)]);

    public static RpcException NotFound(string resourceType, string resourceName) =>
        Build(Code.NotFound, $"{resourceType} '{resourceName}' not found",
            new ResourceInfo { ResourceType = resourceType, ResourceName = resourceName });

    public static RpcException AlreadyExists(string resourceType, string resourceName, string description) =>
        Build(Code.AlreadyExists, description,
            new ResourceInfo { ResourceType = resourceType, ResourceName = resourceName, Description = description });

    /// <param name="type">Machine-readable precondition kind, e.g. <c>INSUFFICIENT_CREDIT</c>.</param>
    public static RpcException FailedPrecondition(string type, string subject, string description)
    {
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = type, Subject = subject, Description = description });
        return Build(Code.FailedPrecondition, description, failure);
    }

    /// <summary>A concurrency conflict: the client should re-read and retry the whole read-modify-write.</summary>
    public static RpcException Aborted(string reason, string description) =>
        Build(Code.Aborted, description, new ErrorInfo { Reason = reason, Domain = Domain });

    /// <summary>Overload or quota refusal; <paramref name="retryAfter"/> becomes <c>grpc-retry-pushback-ms</c> and RetryInfo.</summary>
    public static RpcException ResourceExhausted(string reason, string description, TimeSpan? retryAfter = null) =>
        Refusal.ResourceExhausted(reason, description, retryAfter).ToRpcException();

    /// <summary>No valid credential: <paramref name="reason"/> is an ErrorInfo reason such as <c>MISSING_TOKEN</c>.</summary>
    public static RpcException Unauthenticated(string reason, string description) =>
        Build(Code.Unauthenticated, description, new ErrorInfo { Reason = reason, Domain = Domain });

    /// <summary>A valid credential without the scope <paramref name="scope"/>.</summary>
    public static RpcException PermissionDenied(string scope, string description) =>
        Build(Code.PermissionDenied, description, new ErrorInfo { Reason = "MISSING_SCOPE", Domain = Domain, Metadata = { ["scope"] = scope } });

    public static RpcException Unavailable(string description) =>
        new GrpcStatus { Code = (int)Code.Unavailable, Message = description }.ToRpcException();

    public static RpcException Internal(string description) =>
        new GrpcStatus { Code = (int)Code.Internal, Message = description }.ToRpcException();

    private static RpcException Build(Code code, string message, Google.Protobuf.IMessage detail)
    {
        var status = new GrpcStatus { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(detail));
        return status.ToRpcException();
    }
}

using System.Diagnostics;
using Grpc.Core;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>What the fake server saw of one attempt.</summary>
public sealed record ReceivedCall(
    string Method, int Number, string? PreviousAttempts, bool NoRetry, DateTime Deadline, long Timestamp, DateTime ReceivedAtUtc, string? GrpcTimeout, object Request)
{
    public static ReceivedCall From(string method, int number, object request, ServerCallContext context) => new(
        method,
        number,
        context.RequestHeaders.GetValue(GrpcMeshMetadata.PreviousAttempts),
        context.RequestHeaders.Get(GrpcMeshMetadata.NoRetry) is not null,
        context.Deadline,
        Stopwatch.GetTimestamp(),
        DateTime.UtcNow,
        context.GetHttpContext().Request.Headers["grpc-timeout"].FirstOrDefault(), // the server keeps reserved headers out of RequestHeaders
        request);

    /// <summary>The <c>grpc-timeout</c> the caller sent (digits and a unit: H, M, S, m, u, n), read by the client's own parser.</summary>
    public TimeSpan SentTimeout =>
        GrpcTimeoutHeader.TryParse(GrpcTimeout ?? throw new InvalidOperationException("the call had no grpc-timeout header"), out var timeout)
            ? timeout
            : throw new FormatException($"grpc-timeout '{GrpcTimeout}'");

    public TimeSpan ElapsedUntil(ReceivedCall later) => Stopwatch.GetElapsedTime(Timestamp, later.Timestamp);
}

using System.Diagnostics;
using Grpc.Core;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>What the fake server saw of one attempt.</summary>
public sealed record ReceivedCall(string Method, int Number, string? PreviousAttempts, bool NoRetry, DateTime Deadline, long Timestamp, object Request)
{
    public static ReceivedCall From(string method, int number, object request, ServerCallContext context) => new(
        method,
        number,
        context.RequestHeaders.GetValue(GrpcMeshMetadata.PreviousAttempts),
        context.RequestHeaders.Get(GrpcMeshMetadata.NoRetry) is not null,
        context.Deadline,
        Stopwatch.GetTimestamp(),
        request);

    public TimeSpan ElapsedUntil(ReceivedCall later) => Stopwatch.GetElapsedTime(Timestamp, later.Timestamp);
}

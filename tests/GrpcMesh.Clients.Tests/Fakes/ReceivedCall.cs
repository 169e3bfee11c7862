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

    /// <summary>The <c>grpc-timeout</c> the caller sent (digits and a unit: H, M, S, m, u, n).</summary>
    public TimeSpan SentTimeout
    {
        get
        {
            var header = GrpcTimeout ?? throw new InvalidOperationException("the call had no grpc-timeout header");
            var value = long.Parse(header.AsSpan(0, header.Length - 1), System.Globalization.CultureInfo.InvariantCulture);
            return header[^1] switch
            {
                'H' => TimeSpan.FromHours(value),
                'M' => TimeSpan.FromMinutes(value),
                'S' => TimeSpan.FromSeconds(value),
                'm' => TimeSpan.FromMilliseconds(value),
                'u' => TimeSpan.FromMicroseconds(value),
                'n' => TimeSpan.FromTicks(value / 100),
                _ => throw new FormatException($"grpc-timeout '{header}'"),
            };
        }
    }

    public TimeSpan ElapsedUntil(ReceivedCall later) => Stopwatch.GetElapsedTime(Timestamp, later.Timestamp);
}

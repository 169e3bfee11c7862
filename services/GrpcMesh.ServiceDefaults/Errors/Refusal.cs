using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using GrpcMesh.Clients;
using Microsoft.AspNetCore.Http;
using GrpcStatus = Google.Rpc.Status;

namespace GrpcMesh.ServiceDefaults.Errors;

/// <summary>
/// A call refused before any work: its <c>google.rpc.Status</c> (ErrorInfo, and RetryInfo with the pushback) and the
/// <c>grpc-retry-pushback-ms</c> a client waits before retrying. Thrown as an <see cref="RpcException"/> inside
/// grpc-dotnet (the only way it reports a status), or written as a trailers-only response by middleware in front of
/// it: an exception, caught and rethrown through grpc-dotnet's layers, costs the server more than answering the call
/// would (bench/README.md, "Refusals"), and refusals come by the thousand per second exactly when CPU is short.
/// </summary>
internal sealed class Refusal
{
    private const string StatusHeader = "grpc-status";
    private const string MessageHeader = "grpc-message";
    private const string DetailsHeader = "grpc-status-details-bin";

    private readonly GrpcStatus _status;
    private readonly TimeSpan? _pushback;

    private Refusal(GrpcStatus status, TimeSpan? pushback)
    {
        _status = status;
        _pushback = pushback;
    }

    public StatusCode StatusCode => (StatusCode)_status.Code;

    /// <summary>RESOURCE_EXHAUSTED with ErrorInfo <paramref name="reason"/>; <paramref name="retryAfter"/> becomes the pushback and RetryInfo.</summary>
    public static Refusal ResourceExhausted(string reason, string description, TimeSpan? retryAfter)
    {
        var status = new GrpcStatus { Code = (int)Code.ResourceExhausted, Message = description };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = RpcErrors.Domain }));
        if (retryAfter is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return new Refusal(status, retryAfter);
    }

    public RpcException ToRpcException()
    {
        var exception = _status.ToRpcException();
        if (_pushback is { } pushback)
        {
            exception.Trailers.Add(GrpcMeshMetadata.RetryPushback, Milliseconds(pushback));
        }

        return exception;
    }

    /// <summary>
    /// Answers the request with this status and no message: HTTP 200, <c>application/grpc</c>, the status in the headers
    /// and the stream ended with them (gRPC's trailers-only response, as grpc-dotnet sends for an error before any message).
    /// </summary>
    public void WriteTrailersOnly(Microsoft.AspNetCore.Http.HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        var headers = response.Headers;
        headers[StatusHeader] = _status.Code.ToString(CultureInfo.InvariantCulture);
        headers[MessageHeader] = PercentEncode(_status.Message);
        headers[DetailsHeader] = Convert.ToBase64String(_status.ToByteArray());
        if (_pushback is { } pushback)
        {
            headers[GrpcMeshMetadata.RetryPushback] = Milliseconds(pushback);
        }
    }

    private static string Milliseconds(TimeSpan span) => ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>The gRPC spec's grpc-message encoding: UTF-8, with every byte outside printable ASCII and '%' as %XX.</summary>
    internal static string PercentEncode(string message)
    {
        if (!message.Any(NeedsEncoding))
        {
            return message;
        }

        var encoded = new StringBuilder(message.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (NeedsEncoding((char)b))
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                encoded.Append((char)b);
            }
        }

        return encoded.ToString();
    }

    private static bool NeedsEncoding(char c) => c is < ' ' or > '~' or '%';
}

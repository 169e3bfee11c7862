using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace GrpcMesh.ServiceDefaults.Telemetry;

/// <summary>The <see cref="GrpcMeshTelemetry.RpcMeterName"/> meter: handled calls' durations by service, method and status.</summary>
public sealed class RpcMetrics
{
    private static readonly double[] Buckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    // Boxed once so recording a status code does not allocate.
    private static readonly object[] StatusCodes = Enumerable.Range(0, 17).Select(code => (object)code).ToArray();

    private readonly Histogram<double> _serverDuration;

    public RpcMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GrpcMeshTelemetry.RpcMeterName);
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        _serverDuration = meter.CreateHistogram(GrpcMeshTelemetry.ServerCallDuration, "s", "Duration of gRPC calls handled by this service", tags: null, advice);
    }

    internal void RecordServer(string service, string method, StatusCode status, long startTimestamp) =>
        Record(_serverDuration, service, method, status, startTimestamp);

    /// <summary>Records a handled call, named by its endpoint's gRPC method (or by its path when there is none).</summary>
    internal void RecordServer(ServerCallContext context, StatusCode status, long startTimestamp)
    {
        if (!_serverDuration.Enabled)
        {
            return;
        }

        var method = context.GetHttpContext().GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
        if (method is not null)
        {
            Record(_serverDuration, method.ServiceName, method.Name, status, startTimestamp);
            return;
        }

        var (service, name) = MethodNames.Split(context.Method);
        Record(_serverDuration, service, name, status, startTimestamp);
    }

    private static void Record(Histogram<double> histogram, string service, string method, StatusCode status, long startTimestamp)
    {
        if (!histogram.Enabled)
        {
            return;
        }

        var code = (int)status;
        var tags = new TagList
        {
            { GrpcMeshTelemetry.SystemTag, "grpc" },
            { GrpcMeshTelemetry.ServiceTag, service },
            { GrpcMeshTelemetry.MethodTag, method },
            { GrpcMeshTelemetry.StatusCodeTag, (uint)code < StatusCodes.Length ? StatusCodes[code] : code },
        };
        histogram.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}

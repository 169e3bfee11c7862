using Grpc.Core;

namespace GrpcMesh.LoadTest.Load;

/// <summary>Thread-safe counts of finished calls by gRPC status; client-side exceptions that carry no status apart.</summary>
internal sealed class StatusTally
{
    private const int Codes = (int)StatusCode.Unauthenticated + 1;

    private readonly long[] _counts = new long[Codes];
    private long _clientFailures;
    private string? _firstError;

    public long Ok => Count(StatusCode.OK);

    public long Count(StatusCode code) => Volatile.Read(ref _counts[(int)code]);

    public long Failed
    {
        get
        {
            var failed = Volatile.Read(ref _clientFailures);
            for (var code = 1; code < Codes; code++)
            {
                failed += Volatile.Read(ref _counts[code]);
            }

            return failed;
        }
    }

    public string? FirstError => Volatile.Read(ref _firstError);

    /// <summary>Counts a finished call; an OK call's latency goes into <paramref name="latency"/>.</summary>
    public void Record(Exception? failure, HdrHistogram.HistogramBase latency, long elapsedTicks)
    {
        switch (failure)
        {
            case null:
                RecordOk();
                LatencyHistograms.Record(latency, elapsedTicks);
                break;
            case RpcException rpc:
                Record(rpc);
                break;
            default:
                Record(failure);
                break;
        }
    }

    public void RecordOk() => Interlocked.Increment(ref _counts[(int)StatusCode.OK]);

    public void Record(RpcException exception)
    {
        var code = (int)exception.StatusCode;
        Interlocked.Increment(ref _counts[code is >= 0 and < Codes ? code : (int)StatusCode.Unknown]);
        Interlocked.CompareExchange(ref _firstError, $"{exception.StatusCode}: {exception.Status.Detail}", null);
    }

    public void Record(Exception exception)
    {
        Interlocked.Increment(ref _clientFailures);
        Interlocked.CompareExchange(ref _firstError, $"client exception {exception.GetType().Name}: {exception.Message}", null);
    }

    public void Add(StatusTally other)
    {
        for (var code = 0; code < Codes; code++)
        {
            _counts[code] += other._counts[code];
        }

        _clientFailures += other._clientFailures;
        _firstError ??= other._firstError;
    }

    /// <summary>Non-zero counts by status name (OK, NOT_FOUND, …), plus CLIENT_EXCEPTION if any.</summary>
    public Dictionary<string, long> ToDictionary()
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var code = 0; code < Codes; code++)
        {
            if (_counts[code] > 0)
            {
                result[StatusName((StatusCode)code)] = _counts[code];
            }
        }

        if (_clientFailures > 0)
        {
            result["CLIENT_EXCEPTION"] = _clientFailures;
        }

        return result;
    }

    public static string StatusName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.DataLoss => "DATA_LOSS",
        _ => code.ToString().ToUpperInvariant(),
    };
}

using Grpc.Core;

namespace GrpcMesh.Clients.Calls;

/// <summary>
/// A unary call whose response is produced by a resilience loop over one or more underlying calls. Headers, status and
/// trailers are those of the underlying call that produced the outcome, or of the synthetic failure when none did
/// (open circuit, cancelled while waiting to retry). Headers are available once the outcome is known.
/// </summary>
internal abstract class ResilientUnaryCall<TResponse>
{
    private AsyncUnaryCall<TResponse>? _current;
    private RpcException? _synthetic;
    private Task<TResponse>? _response;
    private int _disposed;

    protected bool IsDisposed => Volatile.Read(ref _disposed) == 1;

    public AsyncUnaryCall<TResponse> Start()
    {
        _response = RunAsync();
        return new AsyncUnaryCall<TResponse>(
            _response,
            static state => ((ResilientUnaryCall<TResponse>)state).GetHeadersAsync(),
            static state => ((ResilientUnaryCall<TResponse>)state).GetStatus(),
            static state => ((ResilientUnaryCall<TResponse>)state).GetTrailers(),
            static state => ((ResilientUnaryCall<TResponse>)state).Dispose(),
            this);
    }

    protected abstract Task<TResponse> RunAsync();

    /// <summary>Makes <paramref name="call"/> the underlying call; the previous one has completed and is disposed.</summary>
    protected void SetCurrent(AsyncUnaryCall<TResponse> call)
    {
        Interlocked.Exchange(ref _current, call)?.Dispose();
        if (IsDisposed)
        {
            call.Dispose();
        }
    }

    /// <summary>Records a failure that no underlying call produced and returns it for throwing.</summary>
    protected RpcException Synthetic(RpcException error)
    {
        _synthetic = error;
        return error;
    }

    private async Task<Metadata> GetHeadersAsync()
    {
        try
        {
            await _response!.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // The error surfaces through ResponseAsync; headers come from the call that produced it.
        }

        if (_synthetic is not null)
        {
            throw _synthetic;
        }

        var call = Volatile.Read(ref _current) ?? throw new RpcException(new Status(StatusCode.Cancelled, "The call ended before it started."));
        return await call.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }

        return _synthetic?.Status ?? Volatile.Read(ref _current)?.GetStatus() ?? Status.DefaultCancelled;
    }

    private Metadata GetTrailers()
    {
        if (_response is not { IsCompleted: true })
        {
            throw new InvalidOperationException("Unable to get the trailers because the call is not complete.");
        }

        return _synthetic?.Trailers ?? Volatile.Read(ref _current)?.GetTrailers() ?? new Metadata();
    }

    private void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        Volatile.Read(ref _current)?.Dispose();
    }
}

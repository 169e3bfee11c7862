using Grpc.Core;
using Grpc.Core.Interceptors;

namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>Holds the unary handlers of <paramref name="method"/> until <see cref="Open"/>, counting how many run at once (and the most ever).</summary>
internal sealed class HandlerGate(string method)
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private int _running;

    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    public int MaxRunning { get; private set; }

    public int Entered { get; private set; }

    public string Method => method;

    public void Open() => _open.TrySetResult();

    public async Task HoldAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _running++;
            Entered++;
            MaxRunning = Math.Max(MaxRunning, _running);
        }

        try
        {
            await _open.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_lock)
            {
                _running--;
            }
        }
    }
}

internal sealed class HandlerGateInterceptor(HandlerGate gate) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (context.Method.EndsWith("/" + gate.Method, StringComparison.Ordinal))
        {
            await gate.HoldAsync(context.CancellationToken);
        }

        return await continuation(request, context);
    }
}

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// The gate slot <see cref="CallGateMiddleware"/> took for a call before grpc-dotnet dispatched it, kept as an
/// HttpContext feature: <see cref="Hosting.ServerCallInterceptor"/> finds it (and takes no second slot), marks when the
/// handler starts and gives the slot back when the handler is done, so that the adaptive limit learns the handler's
/// time alone — not authentication before it, nor writing the response after it. A call that authentication, the rate
/// limit or the deadline check refuses gives its slot back unmeasured (a flood of such microsecond-long calls would
/// otherwise teach the limit that calls are fast); so does one that never reached the interceptor (the middleware
/// gives the slot back when the response is done).
/// </summary>
internal sealed class GateTicket(GateSlot slot)
{
    private GateSlot _slot = slot;
    private bool _started;
    private int _exited;

    public void HandlerStarting()
    {
        _slot = _slot.Restarted();
        _started = true;
    }

    /// <summary>Gives the slot back, measured when the handler started; only the first call does anything.</summary>
    public void Exit()
    {
        if (Interlocked.Exchange(ref _exited, 1) != 0)
        {
            return;
        }

        if (_started)
        {
            _slot.Exit();
        }
        else
        {
            _slot.Release();
        }
    }
}

namespace GrpcMesh.ServiceDefaults.Limits;

/// <summary>
/// The gate slot <see cref="CallGateMiddleware"/> took for a call before grpc-dotnet dispatched it, kept as an
/// HttpContext feature: <see cref="Hosting.ServerCallInterceptor"/> finds it (and takes no second slot) and marks when
/// the handler starts, so that the adaptive limit learns the handler's time alone. A call that authentication, the rate
/// limit or the deadline check refuses after the gate gives its slot back unmeasured: a flood of such microsecond-long
/// calls would otherwise teach the limit that calls are fast.
/// </summary>
internal sealed class GateTicket(GateSlot slot)
{
    private GateSlot _slot = slot;
    private bool _started;

    public void HandlerStarting()
    {
        _slot = _slot.Restarted();
        _started = true;
    }

    public void Exit()
    {
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

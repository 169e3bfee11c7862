namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>Holds "slow" calls until the test opens it, and tells the test when a call is waiting.</summary>
internal sealed class CallGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task;

    public async Task EnterAsync(CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        await _open.Task.WaitAsync(cancellationToken);
    }

    public void Open() => _open.TrySetResult();
}

using System.Collections.Concurrent;
using Grpc.Core;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.Clients.Tests.Replicas;

/// <summary>
/// Closed-loop load: <c>workers</c> tasks each calling GetUser back to back until stopped, counting completed calls per
/// worker and keeping every failure a caller saw.
/// </summary>
public sealed class LoadDriver : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly int[] _completed;
    private readonly Task[] _workers;

    public LoadDriver(UserService.UserServiceClient client, string userId, int workers)
    {
        _completed = new int[workers];
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(() => RunAsync(client, userId, w))).ToArray();
    }

    public ConcurrentQueue<RpcException> Failures { get; } = new();

    public int Completed => Enumerable.Range(0, _completed.Length).Sum(CompletedBy);

    /// <summary>Waits until <paramref name="calls"/> more calls have completed.</summary>
    public Task WaitForMoreCallsAsync(int calls, string why)
    {
        var target = Completed + calls;
        return Eventually.WaitAsync(() => Completed >= target, $"{calls} more calls ({why})", Balanced.Patience);
    }

    /// <summary>Waits until every worker has completed at least one more call: no attempt started before now is still running.</summary>
    public Task WaitForEveryWorkerAsync(string why)
    {
        var marks = Enumerable.Range(0, _completed.Length).Select(CompletedBy).ToArray();
        return Eventually.WaitAsync(() => marks.Select((mark, i) => CompletedBy(i) > mark).All(moved => moved), $"every worker moving on ({why})", Balanced.Patience);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    private int CompletedBy(int worker) => Volatile.Read(ref _completed[worker]);

    private async Task RunAsync(UserService.UserServiceClient client, string userId, int worker)
    {
        var request = new GetUserRequest { UserId = userId };
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await client.GetUserAsync(request);
            }
            catch (RpcException e)
            {
                Failures.Enqueue(e);
            }

            Interlocked.Increment(ref _completed[worker]);
        }
    }
}

using System.Collections.Concurrent;
using Grpc.Core;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>
/// Controls the fake UserService: <see cref="Behavior"/> runs for every call (throw an RpcException to fail it, await to
/// delay it) and every call is recorded in arrival order.
/// </summary>
public sealed class FakeUserBackend
{
    private readonly ConcurrentQueue<ReceivedCall> _calls = new();
    private int _count;

    /// <summary>Runs before the response is sent; the default answers OK.</summary>
    public Func<ReceivedCall, ServerCallContext, Task> Behavior { get; set; } = static (_, _) => Task.CompletedTask;

    public IReadOnlyList<ReceivedCall> Calls => [.. _calls];

    public int CallCount => Volatile.Read(ref _count);

    public int CountOf(string method) => _calls.Count(c => c.Method == method);

    public async Task OnCallAsync(string method, object request, ServerCallContext context)
    {
        var call = ReceivedCall.From(method, Interlocked.Increment(ref _count), request, context);
        _calls.Enqueue(call);
        await Behavior(call, context);
    }

    /// <summary>Fails every call with <paramref name="code"/>, adding <paramref name="trailers"/> to the response.</summary>
    public void AlwaysFail(StatusCode code, params (string Key, string Value)[] trailers) =>
        Behavior = (_, context) => throw Failure(code, context, trailers);

    /// <summary>Fails the first <paramref name="failures"/> calls with <paramref name="code"/>, then answers OK.</summary>
    public void FailFirst(int failures, StatusCode code) =>
        Behavior = (call, context) => call.Number <= failures ? throw Failure(code, context, []) : Task.CompletedTask;

    public static RpcException Failure(StatusCode code, ServerCallContext context, (string Key, string Value)[] trailers)
    {
        foreach (var (key, value) in trailers)
        {
            context.ResponseTrailers.Add(key, value);
        }

        return new RpcException(new Status(code, $"fake {code}"));
    }
}

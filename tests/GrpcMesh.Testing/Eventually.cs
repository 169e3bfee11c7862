using Xunit;

namespace GrpcMesh.Testing;

/// <summary>Polls a condition with a generous timeout (the machine may be loaded), instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Re-evaluates <paramref name="condition"/> every 10 ms; fails the test naming <paramref name="what"/> after the timeout.</summary>
    public static Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        WaitAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>The same for a condition that has to call something (a health check, a new connection).</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {limit.TotalSeconds} s waiting for {what}");
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}

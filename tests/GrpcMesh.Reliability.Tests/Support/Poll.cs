namespace GrpcMesh.Reliability.Tests.Support;

internal static class Poll
{
    /// <summary>Waits (generously) for <paramref name="condition"/>; fails the test if it never holds.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}

namespace GrpcMesh.ServiceDefaults.Tests.Support;

internal static class Poll
{
    /// <summary>Re-evaluates <paramref name="condition"/> until it holds; fails after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string? because = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within {timeout}{(because is null ? "" : ": " + because)}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}

namespace GrpcMesh.Testing;

/// <summary>
/// Every test states a timeout (<c>[Fact(Timeout = TestTimeouts.Default)]</c>), so a hang fails that test instead of stalling
/// the run. xunit.v3 (4.0.2) has no assembly-wide default: its runner configuration only has <c>longRunningTestSeconds</c>,
/// which reports slow tests but never stops one.
/// </summary>
public static class TestTimeouts
{
    /// <summary>
    /// Three minutes: far above any test of this repo on a loaded 2-core machine (the slowest in-process ones take seconds;
    /// tests that build images or run pods state their own, longer timeout), still short of a stalled CI job.
    /// </summary>
    public const int Default = 180_000;

    /// <summary>
    /// Runs a synchronous test body on the thread pool. xunit.v3 applies a timeout only to a test that returns a task (a
    /// synchronous one with a timeout fails at once), and only a body that does not block the test's own call can be timed
    /// out; pass <c>TestContext.Current.CancellationToken</c>.
    /// </summary>
    public static Task RunSync(Action body, CancellationToken cancellationToken) => Task.Run(body, cancellationToken);
}

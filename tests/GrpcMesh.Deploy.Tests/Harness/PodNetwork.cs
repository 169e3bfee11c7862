using System.Net;
using GrpcMesh.Testing.Postgres;

namespace GrpcMesh.Deploy.Tests.Harness;

/// <summary>
/// Pod addresses in 127.0.0.0/8 other than 127.0.0.1, one per pod for the whole test run, and the bind shim
/// (<c>pod_bind.c</c>) that turns a pod's wildcard bind into a bind to its own address.
/// </summary>
internal static class PodNetwork
{
    private static readonly Lazy<Task<string>> Shim = new(CompileShimAsync);
    private static int _lastHost = 1;

    public static IPAddress NextAddress()
    {
        var host = Interlocked.Increment(ref _lastHost);
        Assert.True(host < 255, "the harness ran out of pod addresses in 127.0.0.0/24");
        return IPAddress.Parse($"127.0.0.{host}");
    }

    /// <summary>The compiled shim (LD_PRELOAD), built once per run next to the test assembly.</summary>
    public static Task<string> BindShimAsync() => Shim.Value;

    private static async Task<string> CompileShimAsync()
    {
        var compiler = ProcessRunner.FindOnPath("cc") ?? ProcessRunner.FindOnPath("gcc")
            ?? throw new InvalidOperationException("no C compiler (cc/gcc) for the pod bind shim; .ci/run installs gcc");
        var library = Path.Combine(AppContext.BaseDirectory, $"pod_bind-{Environment.ProcessId}.so");
        await new ProcessRunner(runAsUser: null).RunCheckedAsync(
            compiler, ["-shared", "-fPIC", "-O2", "-Wall", "-Werror", "-o", library, Path.Combine(AppContext.BaseDirectory, "Harness", "pod_bind.c"), "-ldl"],
            TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        return library;
    }
}

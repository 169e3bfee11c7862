namespace GrpcMesh.ServiceDefaults.Tests.Support;

/// <summary>
/// The console logger binds to <see cref="Console.Out"/> when its provider is created (at host build), so a host
/// built while Console.Out is swapped keeps writing to the swapped writer. Only the build is serialized; other
/// tests' hosts built in that window also write here, which the assertions tolerate by filtering on unique ids.
/// </summary>
internal static class ConsoleCapture
{
    private static readonly SemaphoreSlim Swap = new(1, 1);

    public static async Task<T> BuildWritingToAsync<T>(StringWriter output, Func<Task<T>> build)
    {
        await Swap.WaitAsync(TestContext.Current.CancellationToken);
        var original = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Synchronized(output));
            return await build();
        }
        finally
        {
            Console.SetOut(original);
            Swap.Release();
        }
    }

    public static string[] Lines(StringWriter output)
    {
        lock (output)
        {
            return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}

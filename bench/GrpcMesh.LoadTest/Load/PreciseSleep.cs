using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp with sub-millisecond precision where the OS allows it: usleep on
/// Unix (hrtimers, ~0.1 ms late), whole-millisecond Thread.Sleep elsewhere. .NET timers are too coarse for an open
/// loop: Task.Delay and PeriodicTimer fire only every ~4 ms here, and Thread.Sleep(1) takes ~1.1 ms.
/// </summary>
internal static partial class PreciseSleep
{
    private const long MaxStepMicros = 10_000;

    public static void Until(long timestamp)
    {
        for (var wait = timestamp - Stopwatch.GetTimestamp(); wait > 0; wait = timestamp - Stopwatch.GetTimestamp())
        {
            var micros = Math.Min(MaxStepMicros, Math.Max(1, wait * 1_000_000 / Stopwatch.Frequency));
            if (OperatingSystem.IsWindows())
            {
                Thread.Sleep((int)Math.Ceiling(micros / 1000.0));
            }
            else
            {
                _ = USleep((uint)micros);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);
}

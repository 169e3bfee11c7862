using System.Diagnostics;
using System.Globalization;

namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Prints the request rate of the running phase once a second: overwriting one line on a terminal, a line
/// every few seconds when the output is redirected (CI logs).
/// </summary>
internal sealed class ProgressReporter(TextWriter writer, bool interactive)
{
    public async Task RunAsync(string label, Func<(long Completed, long Failed)> sample, long measureFrom, long end, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromSeconds(1);
        var printEvery = interactive ? 1 : 5;
        var (lastCompleted, _) = sample();
        var lastTime = Stopwatch.GetTimestamp();
        var ticks = 0;
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Stopwatch.GetTimestamp();
                var (completed, failed) = sample();
                var rate = (completed - lastCompleted) / Stopwatch.GetElapsedTime(lastTime, now).TotalSeconds;
                (lastCompleted, lastTime) = (completed, now);
                if (++ticks % printEvery != 0)
                {
                    continue;
                }

                var phase = now < measureFrom
                    ? $"warm-up {Seconds(measureFrom - now)} s left"
                    : $"measuring {Seconds(Math.Max(0, end - now))} s left";
                var line = string.Create(CultureInfo.InvariantCulture, $"  {label,-34} {phase,-24} {rate,10:N0} req/s   failed {failed:N0}");
                if (interactive)
                {
                    await writer.WriteAsync("\r" + line.PadRight(100));
                }
                else
                {
                    await writer.WriteLineAsync(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // phase over
        }

        if (interactive)
        {
            await writer.WriteAsync("\r" + new string(' ', 100) + "\r");
        }
    }

    private static string Seconds(long stopwatchTicks) =>
        (stopwatchTicks / (double)Stopwatch.Frequency).ToString("0", CultureInfo.InvariantCulture);
}

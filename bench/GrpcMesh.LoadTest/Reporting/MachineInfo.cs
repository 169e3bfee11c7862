using System.Globalization;
using System.Runtime.InteropServices;

namespace GrpcMesh.LoadTest.Reporting;

internal static class MachineInfo
{
    public static MachineReport Capture() => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Environment.ProcessorCount,
        CpuModel(),
        MemoryGiB(),
        "load generator and servers share these cores; ratios within one run are comparable, absolute numbers are not portable");

    /// <summary>/proc/loadavg, or null where there is none.</summary>
    public static LoadAverage? LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return new LoadAverage(Parse(parts[0]), Parse(parts[1]), Parse(parts[2]));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }

        static double Parse(string text) => double.Parse(text, CultureInfo.InvariantCulture);
    }

    private static string? CpuModel() =>
        ProcLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();

    private static double? MemoryGiB()
    {
        var line = ProcLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kib = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return kib is null ? null : Math.Round(double.Parse(kib, CultureInfo.InvariantCulture) / (1024 * 1024), 1);
    }

    private static string[] ProcLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

namespace GrpcMesh.Reliability.Tests.Faults;

/// <summary>Prints a measured figure to the test output (and the console) for the README's reliability section.</summary>
internal static class Figures
{
    public static void Report(string scenario, string figures)
    {
        var line = $"[reliability] {scenario}: {figures}";
        TestContext.Current.SendDiagnosticMessage(line);
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Console.WriteLine(line);
    }
}

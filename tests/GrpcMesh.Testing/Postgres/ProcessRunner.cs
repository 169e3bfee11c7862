using System.Diagnostics;

namespace GrpcMesh.Testing.Postgres;

/// <summary>Runs a command to completion, capturing its output, optionally as another OS user (root → runuser/su).</summary>
public sealed class ProcessRunner(string? runAsUser)
{
    public string? RunAsUser => runAsUser;

    /// <param name="environment">Variables to set on top of the inherited ones; a null value removes the variable.</param>
    public async Task<ProcessResult> RunAsync(
        string executable, IReadOnlyList<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = CreateStartInfo(executable, arguments);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(executable, arguments)} did not finish within {timeout}");
        }

        return new ProcessResult(process.ExitCode, (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false)));
    }

    public async Task<ProcessResult> RunCheckedAsync(
        string executable, IReadOnlyList<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var result = await RunAsync(executable, arguments, timeout, environment).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{Describe(executable, arguments)} exited with {result.ExitCode}:\n{result.Output}");
    }

    private ProcessStartInfo CreateStartInfo(string executable, IReadOnlyList<string> arguments)
    {
        ProcessStartInfo start;
        if (runAsUser is null)
        {
            start = new ProcessStartInfo(executable);
            arguments.ToList().ForEach(start.ArgumentList.Add);
        }
        else if (FindOnPath("runuser") is { } runuser)
        {
            start = new ProcessStartInfo(runuser) { ArgumentList = { "-u", runAsUser, "--", executable } };
            arguments.ToList().ForEach(start.ArgumentList.Add);
        }
        else
        {
            start = new ProcessStartInfo("su") { ArgumentList = { "-s", "/bin/sh", runAsUser, "-c", ShellQuote([executable, .. arguments]) } };
        }

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.Environment["LC_ALL"] = "C";
        return start;
    }

    private string Describe(string executable, IReadOnlyList<string> arguments) =>
        (runAsUser is null ? "" : $"(as {runAsUser}) ") + ShellQuote([executable, .. arguments]);

    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>The words as one POSIX shell command line, each single-quoted.</summary>
    public static string ShellQuote(IEnumerable<string> words) =>
        string.Join(' ', words.Select(word => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
}

public sealed record ProcessResult(int ExitCode, string Output);

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace GrpcMesh.Interop.Tests.Support;

/// <summary>
/// A Node.js script of tests/browser run by the test (<c>node SCRIPT ARGS…</c>), its stdout read line by line as it
/// comes, so the test can act between two of the script's reports. Killed with its children (the browser) on dispose.
/// </summary>
internal sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly ConcurrentQueue<string> _errors = new();

    private NodeScript(Process process) => _process = process;

    public static string Folder => Path.Combine(Repo.Root, "tests", "browser");

    /// <summary>Runs <paramref name="script"/> to its end; fails the test with its stderr on a non-zero exit.</summary>
    public static async Task RunAsync(string script, TimeSpan timeout, params string[] arguments)
    {
        await using var node = Start(script, arguments);
        try
        {
            await node._process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"node {script} did not finish within {timeout}:\n{node.Errors}");
        }

        node._process.WaitForExit();
        Assert.True(node._process.ExitCode == 0, $"node {script} exited {node._process.ExitCode}:\n{node.Errors}");
    }

    public static NodeScript Start(string script, params string[] arguments)
    {
        Assert.True(Directory.Exists(Path.Combine(Folder, "node_modules")),
            $"tests/browser has no node_modules; install them with `npm ci --prefix tests/browser` (and `apt-get install chromium`)");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder,
        };
        start.ArgumentList.Add(Path.Combine(Folder, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var node = new NodeScript(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                node._lines.Writer.TryComplete();
            }
            else if (!string.IsNullOrWhiteSpace(e.Data))
            {
                node._lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                node._errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    public string Errors => string.Join('\n', _errors);

    /// <summary>The script's next stdout line, parsed as JSON; fails the test if none comes within <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> ReadJsonAsync(string what, TimeSpan timeout)
    {
        try
        {
            var line = await _lines.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(timeout);
            return JsonDocument.Parse(line).RootElement;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no {what} from {_process.StartInfo.ArgumentList[0]} within {timeout}; its stderr:\n{Errors}");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Fail($"{_process.StartInfo.ArgumentList[0]} exited {_process.ExitCode} before reporting {what}; its stderr:\n{Errors}");
        }

        throw new UnreachableException();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}

using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Interop.Tests;

/// <summary>A client ending its own call is a normal event: the real process logs nothing at Warning or above for it.</summary>
public sealed class QuietLogInteropTests
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("v1")]
    [InlineData("v1alpha")]
    public async Task ServerReflectionInfo_ClientCancelsOpenStream_LogsNothingAtWarningOrAbove(string api)
    {
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.UserService, new Dictionary<string, string>
        {
            ["Reflection:Enabled"] = "true",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
        });
        var before = service.OutputLines.Count;

        var result = Assert.Single(await Python.RunAsync("cancel_stream.py", ScriptTimeout, service.Target, "--api", api));

        Assert.Equal("CANCELLED", result.GetProperty("ended").GetString());
        Assert.True(result.GetProperty("services").GetInt32() > 0, result.ToString());
        await Eventually.WaitAsync(() => service.RequestFinished($"/grpc.reflection.{api}.ServerReflection/ServerReflectionInfo"),
            "the server to finish the cancelled reflection call", Patience);
        var loud = service.LinesAtOrAbove(LogLevel.Warning, fromLine: before).ToList();
        Assert.True(loud.Count == 0, $"logged at Warning or above:\n{string.Join('\n', loud)}");
    }
}

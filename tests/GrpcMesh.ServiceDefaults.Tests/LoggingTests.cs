using System.Diagnostics;
using System.Text.Json;
using GrpcMesh.ServiceDefaults.Tests.Support;
using GrpcMesh.Testing;
using GrpcMesh.User.V1;

namespace GrpcMesh.ServiceDefaults.Tests;

public sealed class LoggingTests
{
    private static readonly ActivitySource Source = new("GrpcMesh.Tests.Logging");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task JsonConsoleLog_DuringCall_OneJsonObjectPerLineWithTraceAndSpanIds()
    {
        var output = new StringWriter();
        await using var host = await ConsoleCapture.BuildWritingToAsync(output, () => Hosts.StartUsersAsync());
        var users = new UserService.UserServiceClient(host.Channel);
        var userId = $"log-{Guid.NewGuid():N}";
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);

        using (Source.StartActivity("caller", ActivityKind.Internal, parent))
        {
            await users.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: Ct);
        }

        JsonElement line = default;
        await Eventually.WaitAsync(() =>
        {
            var found = ConsoleCapture.Lines(output).FirstOrDefault(l => l.Contains(userId, StringComparison.Ordinal));
            if (found is not null)
            {
                line = JsonDocument.Parse(found).RootElement;
            }

            return Task.FromResult(found is not null);
        }, "the service's log line", TimeSpan.FromSeconds(10));

        Assert.Equal($"{FakeUserService.FetchingMessage} {userId}", line.GetProperty("Message").GetString());
        Assert.Equal("Warning", line.GetProperty("LogLevel").GetString());
        var activityScope = line.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _));
        Assert.Equal(parent.TraceId.ToString(), activityScope.GetProperty("TraceId").GetString());
        Assert.Matches("^[0-9a-f]{16}$", activityScope.GetProperty("SpanId").GetString());
        Assert.NotEqual(parent.SpanId.ToString(), activityScope.GetProperty("SpanId").GetString());
    }
}

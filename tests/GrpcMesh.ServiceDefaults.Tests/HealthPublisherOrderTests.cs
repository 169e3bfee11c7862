using Grpc.AspNetCore.HealthChecks;
using GrpcMesh.ServiceDefaults.Health;
using GrpcMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace GrpcMesh.ServiceDefaults.Tests;

/// <summary>
/// The health publisher's timer starts before the startup filter maps the service names; on a loaded machine its first
/// run enumerated the mappings while they were being added ("Collection was modified", logged at Error).
/// </summary>
public sealed class HealthPublisherOrderTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Publish_BeforeServiceNamesAreMapped_WaitsUntilTheyAre()
    {
        var options = Options.Create(new GrpcHealthChecksOptions());
        var mappings = new GrpcServiceHealthMappings(options);
        var inner = new RecordingPublisher();
        var publisher = new AfterMappingPublisher(inner, mappings);

        var publishing = publisher.PublishAsync(new HealthReport(new Dictionary<string, HealthReportEntry>(), TimeSpan.Zero), TestContext.Current.CancellationToken);
        await Task.Yield();
        Assert.False(publishing.IsCompleted);
        Assert.Equal(0, inner.Published);

        var services = new ServiceCollection().AddRouting().AddLogging().BuildServiceProvider();
        mappings.Configure(_ => { })(new ApplicationBuilder(services));
        await publishing.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(1, inner.Published);
    }

    private sealed class RecordingPublisher : IHealthCheckPublisher
    {
        public int Published;

        public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Published);
            return Task.CompletedTask;
        }
    }
}

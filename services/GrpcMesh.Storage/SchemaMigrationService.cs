using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrpcMesh.Storage;

/// <summary>
/// Migrates <typeparamref name="TStore"/>'s schema when the host starts. Hosted services start before Kestrel accepts
/// connections, so no call ever sees a missing table; a failure stops the host with the reason.
/// </summary>
internal sealed partial class SchemaMigrationService<TStore>(TStore store, ILogger<SchemaMigrationService<TStore>> logger) : IHostedService
    where TStore : IMigratedStore
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var migration = await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        LogSchemaReady(logger, typeof(TStore).Name, migration.Database, migration.FromVersion, migration.ToVersion);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "{Store} ready at {Database} (schema version {FromVersion} -> {ToVersion})")]
    private static partial void LogSchemaReady(ILogger logger, string store, string database, int fromVersion, int toVersion);
}

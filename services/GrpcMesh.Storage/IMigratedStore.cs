namespace GrpcMesh.Storage;

/// <summary>
/// A store whose schema is created or migrated once at start-up, before the server accepts calls
/// (<see cref="SchemaMigrationExtensions.AddSchemaMigration{TStore}"/>).
/// </summary>
public interface IMigratedStore
{
    /// <summary>Brings the schema to the latest version this build knows; throws when the database is newer.</summary>
    Task<SchemaMigration> MigrateAsync(CancellationToken cancellationToken);
}

/// <summary>What a start-up migration did: <paramref name="Database"/> (never a password) went from one version to another.</summary>
public readonly record struct SchemaMigration(string Database, int FromVersion, int ToVersion);

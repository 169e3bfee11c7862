using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The <c>Storage</c> configuration section, the same keys in every service.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    /// <summary><c>Sqlite</c> (embedded default) or <c>Postgres</c>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Folder for the SQLite files; relative paths are under the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>PostgreSQL connection string (required when <see cref="Provider"/> is Postgres).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a SQLite writer waits for the file lock before failing.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return new ValidationResult($"Storage:Provider '{Provider}' is not supported; use 'Sqlite' or 'Postgres'", [nameof(Provider)]);
        }
        else if (Provider == StorageProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Storage:ConnectionString is required when Storage:Provider is Postgres", [nameof(ConnectionString)]);
        }
        else if (Provider == StorageProvider.Postgres && PostgresDataSources.ValidateConnectionString(ConnectionString) is { } error)
        {
            yield return new ValidationResult(error, [nameof(ConnectionString)]);
        }
    }
}

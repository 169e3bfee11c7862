using Microsoft.Extensions.Logging;
using Npgsql;

namespace GrpcMesh.Storage;

/// <summary>
/// Builds the one pooled <see cref="NpgsqlDataSource"/> a service uses for <c>Storage:ConnectionString</c>
/// (register it as a singleton; the container disposes it, closing the pool, on shutdown).
/// </summary>
public static class PostgresDataSources
{
    public static NpgsqlDataSource Create(StorageOptions options, string applicationName, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        builder.ConnectionStringBuilder.ApplicationName ??= applicationName;
        builder.UseLoggerFactory(loggerFactory);
        return builder.Build();
    }

    /// <summary>Null when <paramref name="connectionString"/> parses as an Npgsql connection string, else why not.</summary>
    public static string? ValidateConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "Storage:ConnectionString is required when Storage:Provider is Postgres";
        }

        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(parsed.Host)
                ? "Storage:ConnectionString must name a Host (e.g. Host=db;Database=grpcmesh;Username=grpcmesh;Password=...)"
                : null;
        }
        catch (ArgumentException ex)
        {
            return $"Storage:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}";
        }
    }

    /// <summary>One <c>SELECT 1</c> round trip: proves the server accepts connections and answers.</summary>
    public static async Task PingAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        using var command = dataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>host:port/database</c> for messages and logs (never the password).</summary>
    public static string Describe(NpgsqlDataSource dataSource)
    {
        var parsed = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return $"{parsed.Host}:{parsed.Port}/{parsed.Database}";
    }
}

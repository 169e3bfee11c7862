using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Storage;

/// <summary>
/// At start-up: a provider OrderService has a store for, and for Postgres a connection string that parses and names a host
/// (a missing one is reported by <see cref="StorageOptions"/>' own validation).
/// </summary>
internal sealed class OrderStorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => options.Provider switch
    {
        StorageProvider.Sqlite => ValidateOptionsResult.Success,
        StorageProvider.Postgres when string.IsNullOrWhiteSpace(options.ConnectionString) => ValidateOptionsResult.Success,
        StorageProvider.Postgres => PostgresDataSources.ValidateConnectionString(options.ConnectionString) is { } error
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success,
        _ => ValidateOptionsResult.Fail($"Storage:Provider '{options.Provider}' is not supported; use 'Sqlite' or 'Postgres'"),
    };
}

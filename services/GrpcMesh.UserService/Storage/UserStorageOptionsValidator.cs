using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.UserService.Storage;

/// <summary>
/// At start-up: a provider UserService has an <see cref="IUserStore"/> for, and for Postgres a usable connection string
/// (a missing one is reported by <see cref="StorageOptions"/>' own validation; this adds "does it parse, does it name a host").
/// </summary>
internal sealed class UserStorageOptionsValidator : IValidateOptions<StorageOptions>
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

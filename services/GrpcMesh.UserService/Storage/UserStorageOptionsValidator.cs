using GrpcMesh.ServiceDefaults.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.UserService.Storage;

/// <summary>Refuses storage providers UserService has no <see cref="IUserStore"/> for (yet), at start-up.</summary>
internal sealed class UserStorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) => options.Provider switch
    {
        StorageProvider.Sqlite => ValidateOptionsResult.Success,
        StorageProvider.Postgres => ValidateOptionsResult.Fail(
            "Storage:Provider 'Postgres' is not available yet in UserService; use 'Sqlite' (the default)"),
        _ => ValidateOptionsResult.Fail($"Storage:Provider '{options.Provider}' is not supported; use 'Sqlite'"),
    };
}

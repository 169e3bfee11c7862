namespace GrpcMesh.UserService.Tests.Support;

/// <summary>A storage provider the contract tests run against; makes a fresh, empty store for each test.</summary>
public interface IStorageUnderTest
{
    Task<TestStore> CreateStoreAsync(CancellationToken cancellationToken);
}

namespace GrpcMesh.OrderService.Tests.Contract;

/// <summary>
/// Base of the OrderService contract suite: every test starts its harness on a fresh store of <paramref name="storage"/>'s
/// kind; the suite runs once per provider (see the Sqlite and Postgres folders).
/// </summary>
public abstract class OrderServiceContract(IOrderStorage storage)
{
    protected IOrderStorage Storage => storage;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected Task<OrderServiceHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null) =>
        OrderServiceHarness.StartAsync(storage, settings);
}

namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// The real OrderService (full stack, SQLite in a temp dir) in front of the real UserService, as the mesh runs.
/// <c>orders-create</c>: CreateOrder, two hops per order (GetUser, ReserveCredit) plus OrderService's own writes —
/// with whatever UserService client OrderService is built with. <c>orders-get</c>: GetOrder, a one-hop local read.
/// </summary>
internal sealed class OrderServiceScenario(bool create) : Scenario(
    create ? "orders-create" : "orders-get",
    create
        ? "OrderService CreateOrder → UserService GetUser + ReserveCredit (saga, SQLite writes)"
        : "OrderService GetOrder (local SQLite read)")
{
    public const string Project = "services/GrpcMesh.OrderService";

    public override string? Baseline => create ? "baseline" : BaselineScenario.OrdersName;

    public override IEnumerable<string> DotnetProjects => [UserServiceProcess.Project, Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var users = await UserServiceProcess.StartAsync(context, $"{Name}-users", context.Options.Users, cancellationToken);
        var data = new TempDirectory("grpcmesh-bench-orders-");
        try
        {
            var (orders, address) = await context.StartDotnetServerAsync($"{Name}-orders", Project,
                ["--Storage:DataDirectory", data.Path, "--Clients:UserService:Address", users.Address.ToString().TrimEnd('/')],
                null, cancellationToken);
            try
            {
                var seeded = await OrderCalls.SeedAsync(address, users.UserIds, create ? 1 : context.Options.Users, context.Auth.Headers, cancellationToken);
                var calls = create
                    ? OrderCalls.CreateOrder(users.UserIds, "bench-" + Guid.NewGuid().ToString("N")[..8], context.Auth.Headers)
                    : OrderCalls.GetOrder(seeded, context.Auth.Headers);
                return new RunningScenario(address, calls, [users.Server, orders], null, users, data);
            }
            catch
            {
                await orders.DisposeAsync();
                throw;
            }
        }
        catch
        {
            await users.Server.DisposeAsync();
            users.Dispose();
            data.Dispose();
            throw;
        }
    }
}

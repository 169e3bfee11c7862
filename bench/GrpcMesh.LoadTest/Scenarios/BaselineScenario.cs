namespace GrpcMesh.LoadTest.Scenarios;

/// <summary>
/// The ceiling: bare Grpc.AspNetCore answering from memory (bench/GrpcMesh.Bench.BaselineServer). <c>baseline</c> and
/// <c>baseline-zipf</c> load GetUser (the UserService scenarios' denominators), <c>baseline-orders</c> GetOrder
/// (orders-get's).
/// </summary>
internal sealed class BaselineScenario : Scenario
{
    public const string ZipfNote = "; Zipf-distributed keys over --zipf-users users";

    public const string Project = "bench/GrpcMesh.Bench.BaselineServer";

    public const string OrdersName = "baseline-orders";

    private readonly bool _zipf;
    private readonly bool _orders;

    private BaselineScenario(string name, string description, bool zipf, bool orders)
        : base(name, description) => (_zipf, _orders) = (zipf, orders);

    public static BaselineScenario GetUser(bool zipf = false) => new(
        zipf ? "baseline-zipf" : "baseline",
        "bare Grpc.AspNetCore GetUser from an in-memory map (no interceptors, no telemetry)" + (zipf ? ZipfNote : ""), zipf, orders: false);

    public static BaselineScenario GetOrder() => new(
        OrdersName, "bare Grpc.AspNetCore GetOrder from an in-memory map (no interceptors, no telemetry)", zipf: false, orders: true);

    public override string? Baseline => Name;

    public override IEnumerable<string> DotnetProjects => [Project];

    public override async Task<RunningScenario> StartAsync(ScenarioContext context, CancellationToken cancellationToken)
    {
        var (server, address) = await context.StartDotnetServerAsync(Name, Project, [], null, cancellationToken);
        try
        {
            var ids = await UserCalls.SeedAsync(address, UserCalls.UserCount(context, _zipf), context.Auth.Headers, cancellationToken);
            await UserCalls.VerifyAsync(address, ids[0], context.Auth.Headers, cancellationToken);
            if (!_orders)
            {
                return new RunningScenario(address, UserCalls.GetUser(ids, context, _zipf), [server], null);
            }

            var orders = await OrderCalls.SeedAsync(address, ids, context.Options.Users, context.Auth.Headers, cancellationToken);
            return new RunningScenario(address, OrderCalls.GetOrder(orders, context.Auth.Headers), [server], null);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}

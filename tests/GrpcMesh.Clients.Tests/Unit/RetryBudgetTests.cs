using GrpcMesh.Clients.Options;
using GrpcMesh.Clients.Resilience;
using GrpcMesh.Testing;
using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Unit;

public sealed class RetryBudgetTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryWithdraw_NoDepositsAndFrozenClock_AllowsOnlyTheFloor() => TestTimeouts.RunSync(() =>
    {
        var budget = new RetryBudget(new GrpcMeshRetryOptions { BudgetMinRetriesPerSecond = 10 }, _time);

        var granted = Enumerable.Range(0, 50).Count(_ => budget.TryWithdraw());

        Assert.Equal(10, granted);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryWithdraw_NextSecond_FloorRefills() => TestTimeouts.RunSync(() =>
    {
        var budget = new RetryBudget(new GrpcMeshRetryOptions { BudgetMinRetriesPerSecond = 3 }, _time);
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => budget.TryWithdraw()));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => budget.TryWithdraw()));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task TryWithdraw_AfterDeposits_AllowsRatioTimesCalls() => TestTimeouts.RunSync(() =>
    {
        var budget = new RetryBudget(new GrpcMeshRetryOptions { BudgetRatio = 0.2, BudgetMinRetriesPerSecond = 0 }, _time);
        for (var i = 0; i < 100; i++)
        {
            budget.Deposit();
        }

        var granted = Enumerable.Range(0, 100).Count(_ => budget.TryWithdraw());

        Assert.Equal(20, granted);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Deposit_LongHealthyPeriod_CapsAtMaxTokens() => TestTimeouts.RunSync(() =>
    {
        var budget = new RetryBudget(new GrpcMeshRetryOptions { BudgetRatio = 0.2, BudgetMaxTokens = 5, BudgetMinRetriesPerSecond = 0 }, _time);
        for (var i = 0; i < 10_000; i++)
        {
            budget.Deposit();
        }

        Assert.Equal(5, budget.Tokens);
        Assert.Equal(5, Enumerable.Range(0, 100).Count(_ => budget.TryWithdraw()));
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task TryWithdraw_Concurrent_NeverGrantsMoreThanDeposited()
    {
        var budget = new RetryBudget(new GrpcMeshRetryOptions { BudgetRatio = 0.5, BudgetMinRetriesPerSecond = 0, BudgetMaxTokens = 100_000 }, _time);
        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                budget.Deposit();
                if (budget.TryWithdraw())
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));

        Assert.True(granted <= 20_000, $"granted {granted} retries for 40000 deposits of 0.5");
        Assert.True(granted >= 19_000, $"granted only {granted}");
    }
}

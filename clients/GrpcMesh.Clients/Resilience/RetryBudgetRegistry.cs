using System.Collections.Concurrent;
using GrpcMesh.Clients.Options;

namespace GrpcMesh.Clients.Resilience;

/// <summary>One <see cref="RetryBudget"/> per target address, shared by every client to it (DI singleton).</summary>
internal sealed class RetryBudgetRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RetryBudget> _budgets = new(StringComparer.Ordinal);

    public RetryBudget Get(string target, GrpcMeshRetryOptions options) =>
        _budgets.GetOrAdd(target, static (_, state) => new RetryBudget(state.options, state.time), (options, time));
}

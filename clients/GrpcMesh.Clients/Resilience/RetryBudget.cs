using GrpcMesh.Clients.Options;

namespace GrpcMesh.Clients.Resilience;

/// <summary>
/// Token bucket limiting retries to one target: each original call deposits <c>BudgetRatio</c> tokens (capped at
/// <c>BudgetMaxTokens</c>), each retry costs one token, and <c>BudgetMinRetriesPerSecond</c> retries per second are
/// allowed even when the bucket is empty. So during a full outage, retries ≤ ratio × calls + floor × seconds.
/// Lock-free: the happy path is one compare-and-swap.
/// </summary>
internal sealed class RetryBudget
{
    private const long Scale = 1000; // tokens are kept in thousandths
    private const int FloorCountBits = 24;
    private const long FloorCountMask = (1L << FloorCountBits) - 1;

    private readonly long _deposit;
    private readonly long _capacity;
    private readonly int _minPerSecond;
    private readonly TimeProvider _time;
    private long _balance;
    private long _floor; // (second << FloorCountBits) | retries taken from the floor in that second

    public RetryBudget(GrpcMeshRetryOptions options, TimeProvider time)
    {
        _deposit = (long)Math.Round(options.BudgetRatio * Scale);
        _capacity = options.BudgetMaxTokens * Scale;
        _minPerSecond = Math.Min(options.BudgetMinRetriesPerSecond, (int)FloorCountMask);
        _time = time;
    }

    /// <summary>Tokens currently banked (for tests and diagnostics).</summary>
    public double Tokens => Volatile.Read(ref _balance) / (double)Scale;

    /// <summary>Called once per original call (not per retry).</summary>
    public void Deposit()
    {
        if (_deposit == 0)
        {
            return;
        }

        var current = Volatile.Read(ref _balance);
        while (current < _capacity)
        {
            var next = Math.Min(current + _deposit, _capacity);
            var seen = Interlocked.CompareExchange(ref _balance, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Takes the cost of one retry; false when neither tokens nor the per-second floor allow it.</summary>
    public bool TryWithdraw()
    {
        var current = Volatile.Read(ref _balance);
        while (current >= Scale)
        {
            var seen = Interlocked.CompareExchange(ref _balance, current - Scale, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return TryTakeFromFloor();
    }

    private bool TryTakeFromFloor()
    {
        if (_minPerSecond == 0)
        {
            return false;
        }

        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        var current = Volatile.Read(ref _floor);
        while (true)
        {
            var currentSecond = current >> FloorCountBits;
            var used = currentSecond == second ? current & FloorCountMask : 0;
            if (used >= _minPerSecond)
            {
                return false;
            }

            var next = (second << FloorCountBits) | (used + 1);
            var seen = Interlocked.CompareExchange(ref _floor, next, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }
    }
}

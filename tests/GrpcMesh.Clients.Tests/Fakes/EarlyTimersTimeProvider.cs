using Microsoft.Extensions.Time.Testing;

namespace GrpcMesh.Clients.Tests.Fakes;

/// <summary>
/// A fake clock whose timers fire when half their time has passed: a coarse clock at its worst (.NET's timers tick on
/// one, and a short delay can end a whole tick early).
/// </summary>
public sealed class EarlyTimersTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        base.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : dueTime / 2, period);
}

using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Storage;
using Microsoft.Extensions.Options;

namespace GrpcMesh.OrderService.Events;

/// <summary>
/// The one outbox poller of this process: reads new order events (all users) and fans them out to the WatchOrders
/// subscriptions, so the database sees one query per wake-up however many watchers there are. It wakes on
/// <see cref="OrderEventSignal"/> (commits in this process, PostgreSQL NOTIFY from other replicas) and at least every
/// <see cref="WatchOptions.PollInterval"/>; the outbox is the source of truth, wake-ups only make it prompt.
/// </summary>
/// <remarks>
/// <para><b>Watermark.</b> <see cref="Watermark"/> is the highest sequence up to which the log is final: every event at or
/// below it has been published (or can never appear). Watchers read their backlog from the outbox up to it and take live
/// events above it from the hub, so a watcher never sees a gap or a duplicate.</para>
/// <para><b>Out-of-order commits.</b> PostgreSQL draws identity values when rows are inserted, not when transactions commit:
/// a reader can see sequence 11 before 10 is committed, and a value whose transaction rolled back never appears. The hub only
/// publishes a contiguous run and decides about each missing sequence g precisely, from transaction ids instead of a timeout.
/// Every store writes the order row before its outbox row, so the writer of g had a transaction id before it drew g, and g
/// was drawn before the visible g+k was, i.e. before the snapshot that shows the gap. When the hub first sees the gap it takes
/// a fresh transaction id B (<see cref="IOrderStore.GetWriterBoundAsync"/>), larger than the writer's. Once a later
/// snapshot's oldest running id (<c>pg_snapshot_xmin</c>) is ≥ B, the writer has finished in that snapshot: g is visible
/// then, or its transaction rolled back and g is skipped. Until then the hub re-checks every few milliseconds (backing off
/// to the poll interval), typically for one transaction's duration. (<c>pg_snapshot_xmax</c> cannot serve as B: it is one
/// past the latest completed id, and a running writer may hold a larger one.) The same rule gives the start position: the
/// log's maximum at start, once the writers that could still add below it have finished. SQLite writers hold the file lock
/// from drawing to committing, so its log has no such gaps (the store reports zeros and any gap is final at once).</para>
/// </remarks>
public sealed partial class OrderEventHub(
    IOrderStore store,
    OrderEventSignal signal,
    IOptions<WatchOptions> options,
    ILogger<OrderEventHub> logger) : BackgroundService
{
    private static readonly TimeSpan MinRecheckDelay = TimeSpan.FromMilliseconds(10);

    private readonly Lock _lock = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly Dictionary<long, ulong> _gaps = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long Through, ulong WriterBound)? _start;
    private long _watermark;
    private long _polls;

    /// <summary>Completes once the hub knows its start position; <see cref="Watermark"/> is meaningful from then on.</summary>
    public Task Ready => _ready.Task;

    public long Watermark => Interlocked.Read(ref _watermark);

    /// <summary>Outbox polls completed so far (successful or not).</summary>
    public long PollCount => Interlocked.Read(ref _polls);

    /// <summary>
    /// Events published but not yet taken by the slowest live watcher: the watermark minus the position before the oldest
    /// event still in a watcher's buffer (0 without watchers or when every buffer is drained).
    /// </summary>
    public long SlowestWatcherLag
    {
        get
        {
            lock (_lock)
            {
                var lag = 0L;
                foreach (var subscription in _subscriptions)
                {
                    if (subscription.Events.TryPeek(out var oldest))
                    {
                        lag = Math.Max(lag, _watermark - oldest.Sequence + 1);
                    }
                }

                return lag;
            }
        }
    }

    public int SubscriptionCount
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>
    /// Starts a live feed of the events after the returned watermark (atomically: nothing between is lost or doubled).
    /// Dispose with <see cref="Unsubscribe"/>.
    /// </summary>
    public (WatchSubscription Subscription, long After) Subscribe(string? userId)
    {
        var subscription = new WatchSubscription(userId, options.Value.MaxBufferedEvents);
        lock (_lock)
        {
            _subscriptions.Add(subscription);
            return (subscription, _watermark);
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
        }
    }

    /// <summary>One poll: publishes what is final and tells when to poll next.</summary>
    internal async Task<PollOutcome> PollOnceAsync(CancellationToken cancellationToken)
    {
        var batch = options.Value.PageSize;
        var started = _ready.Task.IsCompleted;
        var page = await store.ReadEventLogAsync(Watermark, started ? batch : 0, cancellationToken);
        if (!started)
        {
            _start ??= (page.MaxSequence, await store.GetWriterBoundAsync(cancellationToken));
            if (page.OldestRunning < _start.Value.WriterBound)
            {
                return PollOutcome.Waiting;
            }

            Interlocked.Exchange(ref _watermark, _start.Value.Through);
            _ready.TrySetResult();
            LogStarted(logger, _start.Value.Through);
            return PollOutcome.More;
        }

        var expected = Watermark + 1;
        foreach (var orderEvent in page.Events)
        {
            for (; expected < orderEvent.Sequence; expected++)
            {
                if (!_gaps.TryGetValue(expected, out var writerBound))
                {
                    _gaps[expected] = writerBound = await store.GetWriterBoundAsync(cancellationToken);
                }

                if (page.OldestRunning < writerBound)
                {
                    return PollOutcome.Waiting; // its writer may still commit
                }

                _gaps.Remove(expected);
                LogGapSkipped(logger, expected);
            }

            _gaps.Remove(orderEvent.Sequence);
            Publish(orderEvent);
            expected = orderEvent.Sequence + 1;
        }

        return page.Events.Count == batch ? PollOutcome.More : PollOutcome.CaughtUp;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // do not hold up host start
        try
        {
            var recheck = MinRecheckDelay;
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = signal.Next;
                var outcome = PollOutcome.CaughtUp;
                try
                {
                    outcome = await PollOnceAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogPollFailed(logger, ex);
                }
                finally
                {
                    Interlocked.Increment(ref _polls);
                }

                if (outcome == PollOutcome.More)
                {
                    continue;
                }

                // Waiting for a writer to finish is typically a matter of milliseconds and may not be followed by any wake-up:
                // re-check soon, backing off to the poll interval while it lasts.
                var delay = options.Value.PollInterval;
                if (outcome == PollOutcome.Waiting)
                {
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks, recheck.Ticks));
                    recheck *= 2;
                }
                else
                {
                    recheck = MinRecheckDelay;
                }

                try
                {
                    // Real time, not the injected TimeProvider (README, "Time"): the poll is how this process learns of commits
                    // it is not signalled about, which happen in real time whatever clock the service's logic runs on.
                    await wake.WaitAsync(delay, TimeProvider.System, stoppingToken);
                }
                catch (TimeoutException)
                {
                    // Poll on the interval.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
        finally
        {
            lock (_lock)
            {
                foreach (var subscription in _subscriptions)
                {
                    subscription.Complete();
                }
            }
        }
    }

    private void Publish(OrderEvent orderEvent)
    {
        lock (_lock)
        {
            for (var i = _subscriptions.Count - 1; i >= 0; i--)
            {
                var subscription = _subscriptions[i];
                if (subscription.Matches(orderEvent) && !subscription.TryPublish(orderEvent))
                {
                    _subscriptions.RemoveAt(i);
                    LogCutOff(logger, subscription.UserId ?? "*", options.Value.MaxBufferedEvents, orderEvent.Sequence);
                }
            }

            Interlocked.Exchange(ref _watermark, orderEvent.Sequence);
        }
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Order event hub started after sequence {Sequence}")]
    private static partial void LogStarted(ILogger logger, long sequence);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Outbox sequence {Sequence} was never committed (its transaction rolled back); skipped")]
    private static partial void LogGapSkipped(ILogger logger, long sequence);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Outbox poll failed; retrying at the next interval")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "WatchOrders subscriber (user {UserId}) fell more than {MaxBuffered} events behind at sequence {Sequence}; cut off")]
    private static partial void LogCutOff(ILogger logger, string userId, int maxBuffered, long sequence);
}

/// <summary>What a poll of the outbox found.</summary>
internal enum PollOutcome
{
    /// <summary>Published everything visible; wait for a wake-up or the poll interval.</summary>
    CaughtUp,

    /// <summary>A full batch (or the start position) was handled: poll again at once.</summary>
    More,

    /// <summary>Waiting for a transaction that may still commit an earlier sequence (or, at start, for the log to settle).</summary>
    Waiting,
}

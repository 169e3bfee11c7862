using System.Collections.Concurrent;
using GrpcMesh.User.V1;

namespace GrpcMesh.OrderService.Tests.Fakes;

public enum ReserveFault
{
    None,

    /// <summary>ReserveCredit answers UNAVAILABLE without reserving.</summary>
    UnavailableBeforeReserving,

    /// <summary>ReserveCredit reserves, then UserService "dies": this call and every later one answer UNAVAILABLE until <see cref="FakeUserBackend.Down"/> is cleared.</summary>
    UnavailableAfterReservingThenDown,

    /// <summary>ReserveCredit reserves, then never answers (until the call's deadline or cancellation).</summary>
    HangAfterReserving,
}

public sealed record FakeUser(string Id, long CreditLimitMinor, string Currency, UserStatus Status);

public sealed record FakeReservation(string Id, string UserId, long AmountMinor, string Currency, bool Released);

/// <summary>In-memory users and credit reservations behind <see cref="FakeUserGrpcService"/>, with switchable faults and call counters.</summary>
public sealed class FakeUserBackend
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeUser> _users = [];
    private readonly Dictionary<string, FakeReservation> _reservations = [];
    private int _getUserCalls;
    private int _reserveCalls;
    private int _releaseCalls;
    private volatile bool _down;

    /// <summary>Every call answers UNAVAILABLE before doing anything.</summary>
    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public ReserveFault ReserveFault { get; set; }

    /// <summary>When set, GetUser waits for it (after counting the call), so tests can line up concurrent requests.</summary>
    public TaskCompletionSource? GetUserGate { get; set; }

    /// <summary>Deadlines of incoming calls, by method name.</summary>
    public ConcurrentQueue<(string Method, DateTime Deadline)> Deadlines { get; } = new();

    public int GetUserCalls => Volatile.Read(ref _getUserCalls);

    public int ReserveCalls => Volatile.Read(ref _reserveCalls);

    public int ReleaseCalls => Volatile.Read(ref _releaseCalls);

    public string AddUser(long creditLimitMinor, string currency = "USD", UserStatus status = UserStatus.Active)
    {
        var id = "usr_" + Guid.NewGuid().ToString("N")[..12];
        lock (_lock)
        {
            _users[id] = new FakeUser(id, creditLimitMinor, currency, status);
        }

        return id;
    }

    public FakeUser? FindUser(string id)
    {
        lock (_lock)
        {
            return _users.GetValueOrDefault(id);
        }
    }

    public long AvailableCredit(string userId)
    {
        lock (_lock)
        {
            return _users[userId].CreditLimitMinor - _reservations.Values.Where(r => r.UserId == userId && !r.Released).Sum(r => r.AmountMinor);
        }
    }

    public FakeReservation? Reservation(string id)
    {
        lock (_lock)
        {
            return _reservations.GetValueOrDefault(id);
        }
    }

    public IReadOnlyList<FakeReservation> Reservations()
    {
        lock (_lock)
        {
            return [.. _reservations.Values];
        }
    }

    internal int CountGetUser() => Interlocked.Increment(ref _getUserCalls);

    internal void CountReserve() => Interlocked.Increment(ref _reserveCalls);

    internal void CountRelease() => Interlocked.Increment(ref _releaseCalls);

    /// <summary>Reserve semantics of the real contract: idempotent by id, refused for other parameters, missing users, inactive users or too little credit.</summary>
    public (FakeReservation? Reservation, string? Refusal, string? RefusalType) Reserve(string id, string userId, long amountMinor, string currency)
    {
        lock (_lock)
        {
            if (_reservations.TryGetValue(id, out var existing))
            {
                return existing.UserId == userId && existing.AmountMinor == amountMinor && existing.Currency == currency
                    ? (existing, null, null)
                    : (null, $"reservation {id} exists with other parameters", "ALREADY_EXISTS");
            }

            if (!_users.TryGetValue(userId, out var user))
            {
                return (null, $"user {userId} not found", "NOT_FOUND");
            }

            if (user.Status != UserStatus.Active)
            {
                return (null, $"user {userId} is not active", "USER_NOT_ACTIVE");
            }

            if (user.Currency != currency)
            {
                return (null, $"credit is in {user.Currency}", "CURRENCY_MISMATCH");
            }

            var available = user.CreditLimitMinor - _reservations.Values.Where(r => r.UserId == userId && !r.Released).Sum(r => r.AmountMinor);
            if (available < amountMinor)
            {
                return (null, $"insufficient credit: {amountMinor} requested, {available} available", "INSUFFICIENT_CREDIT");
            }

            var reservation = new FakeReservation(id, userId, amountMinor, currency, Released: false);
            _reservations[id] = reservation;
            return (reservation, null, null);
        }
    }

    public FakeReservation? Release(string id)
    {
        lock (_lock)
        {
            if (!_reservations.TryGetValue(id, out var reservation))
            {
                return null;
            }

            return _reservations[id] = reservation with { Released = true };
        }
    }
}

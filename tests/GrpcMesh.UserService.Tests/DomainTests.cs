using GrpcMesh.ServiceDefaults.Validation;
using GrpcMesh.UserService.Domain;
using GrpcMesh.UserService.Grpc;
using Microsoft.Extensions.Time.Testing;
using DomainMoney = GrpcMesh.Domain.Money;

namespace GrpcMesh.UserService.Tests;

public sealed class DomainTests
{
    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(0, 0, 0L)]
    [InlineData(1, 500_000_000, 150L)]
    [InlineData(12, 990_000_000, 1299L)]
    [InlineData(1_000_000_000_000_000, 990_000_000, 100_000_000_000_000_099L)]
    public Task Money_FromUnitsAndNanos_ExactCentsAndBack(long units, int nanos, long cents) => TestTimeouts.RunSync(() =>
    {
        var amount = DomainMoney.FromUnitsAndNanos("USD", units, nanos);

        Assert.Equal(cents, amount.Cents);
        Assert.Equal(units, amount.Units);
        Assert.Equal(nanos, amount.Nanos);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Money_ToString_TwoDecimalsAndCurrency() => TestTimeouts.RunSync(() =>
        Assert.Equal("1234.05 EUR", new DomainMoney("EUR", 123405).ToString()), TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task UserIdGenerator_FrozenClock_StrictlyIncreasingWellFormedIds() => TestTimeouts.RunSync(() =>
    {
        var generator = new UserIdGenerator(new FakeTimeProvider());

        var ids = Enumerable.Range(0, 10_000).Select(_ => generator.NewId()).ToList();

        Assert.All(ids, id => Assert.Matches("^usr_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task UserIdGenerator_ClockMovesBackwards_StillIncreasing() => TestTimeouts.RunSync(() =>
    {
        var clock = new SettableClock { Now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero) };
        var generator = new UserIdGenerator(clock);
        var first = generator.NewId();
        clock.Now = clock.Now.AddMinutes(-1);

        var second = generator.NewId();

        Assert.True(string.CompareOrdinal(first, second) < 0, $"{first} < {second}");
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task UserIdGenerator_LaterTime_SortsAfter() => TestTimeouts.RunSync(() =>
    {
        var clock = new FakeTimeProvider();
        var generator = new UserIdGenerator(clock);
        var first = generator.NewId();
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(string.CompareOrdinal(first, generator.NewId()) < 0);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData(false)]
    [InlineData(true)]
    public Task PageToken_RoundTrip_SameFilter(bool showDeleted) => TestTimeouts.RunSync(() =>
    {
        var token = ListUsersPageToken.Encode("usr_0123abc", showDeleted);

        var sameFilter = new RequestValidator();
        Assert.Equal("usr_0123abc", ListUsersPageToken.Decode(sameFilter, token, showDeleted));
        Assert.True(sameFilter.IsValid);
        var otherFilter = new RequestValidator();
        Assert.Null(ListUsersPageToken.Decode(otherFilter, token, !showDeleted));
        Assert.Equal("page_token", Assert.Single(otherFilter.Violations).Field);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Timestamps_RoundTrip_MicrosecondPrecision() => TestTimeouts.RunSync(() =>
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567));

        var now = clock.UtcNowMicroseconds();

        Assert.Equal(clock.GetUtcNow().AddTicks(-7), now);
        Assert.Equal(now, Timestamps.FromUnixMicroseconds(Timestamps.ToUnixMicroseconds(now)));
    }, TestContext.Current.CancellationToken);

    /// <summary>A wall clock that may jump backwards (NTP step), which FakeTimeProvider refuses to do.</summary>
    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; }

        public override DateTimeOffset GetUtcNow() => Now;
    }
}

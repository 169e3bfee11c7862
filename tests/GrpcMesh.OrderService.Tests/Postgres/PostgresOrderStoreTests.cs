using Grpc.Core;
using GrpcMesh.Order.V1;
using GrpcMesh.OrderService.Domain;
using GrpcMesh.OrderService.Grpc;
using GrpcMesh.OrderService.Storage;
using GrpcMesh.Storage;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;
using Npgsql;
using static GrpcMesh.OrderService.Tests.Support.WatchReader;

namespace GrpcMesh.OrderService.Tests.Postgres;

/// <summary>PostgreSQL-only behaviour: out-of-order commits in the outbox, concurrent migrations, outages.</summary>
public sealed class PostgresOrderStoreTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_EarlierSequenceCommitsAfterLaterOne_DeliveredInSequenceOrder()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new PostgresOrderStorage(postgres));
        using var watch = await LiveWatchAsync(harness);
        await using var connection = await harness.TestStore.Postgres!.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        var (early, earlySequence) = await InsertOrderWithEventAsync(connection, transaction, harness);

        // Committed while the earlier sequence is still in flight: visible first, but must not be delivered first.
        var later = await StoreSeeding.StorePendingOrderAsync(harness, "usr_later");
        await AwaitFullPollAsync(harness);
        await transaction.CommitAsync(Ct);
        var events = await ReadAsync(watch, 2, harness);

        Assert.Equal([(early.Id, earlySequence), (later.Id, earlySequence + 1)], events.Select(e => (e.Order.Id, e.Sequence)));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_SequenceOfRolledBackTransaction_SkippedAndLaterEventsDelivered()
    {
        await using var harness = await OrderServiceHarness.StartAsync(new PostgresOrderStorage(postgres));
        using var watch = await LiveWatchAsync(harness);
        long abandoned;
        await using (var connection = await harness.TestStore.Postgres!.DataSource.OpenConnectionAsync(Ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            (_, abandoned) = await InsertOrderWithEventAsync(connection, transaction, harness);
            var later = await StoreSeeding.StorePendingOrderAsync(harness, "usr_later");
            await AwaitFullPollAsync(harness);
            await transaction.RollbackAsync(Ct);

            var next = Assert.Single(await ReadAsync(watch, 1, harness));
            Assert.Equal((later.Id, abandoned + 1), (next.Order.Id, next.Sequence));
        }

        var last = await StoreSeeding.StorePendingOrderAsync(harness, "usr_last");
        Assert.Equal(last.Id, (await ReadAsync(watch, 1, harness))[0].Order.Id);
        Assert.DoesNotContain(abandoned, (await harness.Store.ReadEventsAsync(0, long.MaxValue, null, 100, Ct)).Select(e => e.Sequence));
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task WatchOrders_PollingRareAndEventWrittenThroughOtherReplica_DeliveredByNotify()
    {
        // With a one-minute poll interval, only the NOTIFY sent in the writing transaction can wake replica B in time.
        await using var harness = await OrderServiceHarness.StartAsync(new PostgresOrderStorage(postgres),
            new Dictionary<string, string?> { ["Orders:Watch:PollInterval"] = "00:01:00" });
        var replicaB = await harness.AddReplica();
        using var watch = OrderServiceHarness.Client(replicaB).WatchOrders(new WatchOrdersRequest { UserId = "usr_notify" });

        var order = await StoreSeeding.StorePendingOrderAsync(harness, "usr_notify");

        Assert.Equal(order.Id, Assert.Single(await ReadAsync(watch, 1, harness)).Order.Id);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Migrate_ThreeReplicasStartAtOnceOnEmptyDatabase_SchemaCreatedOnce()
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        var sources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(database.ConnectionString)).ToArray();
        try
        {
            await Task.WhenAll(sources.Select(s => Task.Run(() => new PostgresOrderStore(s, new OrderEventSignal()).MigrateAsync(Ct), Ct)));

            await using var connection = await database.DataSource.OpenConnectionAsync(Ct);
            Assert.Equal(PostgresOrderSchema.LatestVersion, await PostgresSchemaMigrator.GetVersionAsync(connection, null, "orders", Ct));
            var store = new PostgresOrderStore(sources[0], new OrderEventSignal());
            Assert.Empty(await store.ReadEventsAsync(0, long.MaxValue, null, 10, Ct));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Store_DatabaseUnreachable_OrderStoreUnavailable()
    {
        var port = FreeLoopbackPort();
        await using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Timeout=3");
        var store = new PostgresOrderStore(source, new OrderEventSignal());

        var read = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("ord_x", Ct));
        var write = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            store.CompleteCompensationAsync("ord_x", DateTimeOffset.UtcNow, Ct));

        Assert.Contains("unavailable", read.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was written", write.Message, StringComparison.Ordinal);
    }

    /// <summary>Waits until the hub has run a whole poll that started after this point (so it has seen what is committed now).</summary>
    private static Task AwaitFullPollAsync(OrderServiceHarness harness)
    {
        var before = harness.Hub.PollCount;
        return Eventually.WaitAsync(() => harness.Hub.PollCount >= before + 2, "the event hub polled the outbox");
    }

    /// <summary>A watch on all users that has received one live event (so its subscription is in place).</summary>
    private static async Task<AsyncServerStreamingCall<WatchOrdersResponse>> LiveWatchAsync(OrderServiceHarness harness)
    {
        var watch = harness.Orders.WatchOrders(new WatchOrdersRequest());
        await StoreSeeding.StorePendingOrderAsync(harness, "usr_first");
        await ReadAsync(watch, 1, harness);
        return watch;
    }

    /// <summary>What a store does, by hand in a transaction the test controls: the order row first, then its outbox row.</summary>
    private static async Task<(OrderRecord Order, long Sequence)> InsertOrderWithEventAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, OrderServiceHarness harness)
    {
        var now = harness.Time.GetUtcNow();
        var order = OrderRequestParser.Parse(TestData.Order("usr_early")).ToPendingOrder(OrderIds.New(now), now);
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO orders ({OrderRows.OrderColumns}) VALUES ($1, $2, $3, 'USD', $4, $5::jsonb, 'Pending', '', $6, $6)", connection, transaction))
        {
            insert.Parameters.AddRange(new NpgsqlParameter[]
            {
                new() { Value = order.Id }, new() { Value = order.RequestId }, new() { Value = order.UserId }, new() { Value = order.Total.Cents },
                new() { Value = OrderRows.LinesJson(order) }, new() { Value = now },
            });
            await insert.ExecuteNonQueryAsync(Ct);
        }

        await using var insertEvent = new NpgsqlCommand(
            "INSERT INTO order_events (order_id, user_id, type, event_time, snapshot_json) VALUES ($1, $2, 'Created', $3, $4::jsonb) RETURNING sequence",
            connection, transaction);
        insertEvent.Parameters.AddRange(new NpgsqlParameter[]
        {
            new() { Value = order.Id }, new() { Value = order.UserId }, new() { Value = now }, new() { Value = OrderRows.SnapshotJson(order) },
        });
        return (order, (long)(await insertEvent.ExecuteScalarAsync(Ct))!);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

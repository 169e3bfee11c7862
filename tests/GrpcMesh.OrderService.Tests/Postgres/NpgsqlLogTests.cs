using System.Text.Json;
using Grpc.Net.Client;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Postgres;
using GrpcMesh.Testing.Processes;
using Microsoft.Extensions.Logging;
using OrderServiceClient = GrpcMesh.Order.V1.OrderService.OrderServiceClient;

namespace GrpcMesh.OrderService.Tests.Postgres;

/// <summary>
/// Npgsql logs every command at Information; a PostgreSQL-backed service keeps that off by default (the shipped
/// <c>Logging:LogLevel:Default</c> is Information) and turns it on when configured.
/// </summary>
public sealed class NpgsqlLogTests(PostgresFixture postgres)
{
    private const int Calls = 50;
    private const string NoSuchUser = "usr_00000000000000000000000000000000";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListOrders_ShippedLogLevels_NoNpgsqlInformationLines()
    {
        var npgsql = await NpgsqlLinesAfterCallsAsync([]);

        Assert.DoesNotContain(npgsql, line => ServiceProcessLogs.Level(line) <= LogLevel.Information);
    }

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task ListOrders_NpgsqlLevelConfiguredInformation_LogsEveryCommand()
    {
        var npgsql = await NpgsqlLinesAfterCallsAsync(new() { ["Logging:LogLevel:Npgsql"] = "Information" });

        Assert.True(npgsql.Count(line => ServiceProcessLogs.Level(line) == LogLevel.Information) >= Calls,
            $"expected at least one Npgsql Information line per call ({Calls} calls), got {npgsql.Count}");
    }

    /// <summary>Runs <see cref="Calls"/> ListOrders against a real OrderService on a fresh database; returns its Npgsql lines.</summary>
    private async Task<IReadOnlyList<JsonElement>> NpgsqlLinesAfterCallsAsync(Dictionary<string, string> settings)
    {
        await using var database = await postgres.CreateDatabaseAsync(Ct);
        foreach (var (key, value) in database.StorageSettings)
        {
            settings[key] = value!;
        }

        // ServiceProcess turns the default level down to Warning; put back what appsettings.json ships.
        settings["Logging:LogLevel:Default"] = "Information";
        settings["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information";
        await using var service = await ServiceProcess.StartAsync(ServiceProcess.OrderService, settings);
        using var channel = GrpcChannel.ForAddress(service.Address);
        var orders = new OrderServiceClient(channel);
        for (var i = 0; i < Calls; i++)
        {
            await orders.ListOrdersAsync(new ListOrdersRequest { UserId = NoSuchUser }, cancellationToken: Ct);
        }

        // The console logger writes from a queue; the last request's end comes after its commands' lines.
        await Eventually.WaitAsync(() => service.LinesInCategory("Microsoft.AspNetCore.Hosting.Diagnostics")
            .Count(line => line.GetProperty("EventId").GetInt32() == 2) >= Calls, $"{Calls} finished requests in the log", Patience);
        var npgsql = service.LinesInCategory("Npgsql");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{npgsql.Count} Npgsql lines for {Calls} ListOrders calls ({(double)npgsql.Count / Calls:F2} per call)");
        return npgsql;
    }
}

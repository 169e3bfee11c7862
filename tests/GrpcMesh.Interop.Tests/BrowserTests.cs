using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Net.Client;
using GrpcMesh.Common.V1;
using GrpcMesh.Interop.Tests.Support;
using GrpcMesh.Order.V1;
using GrpcMesh.Testing;
using GrpcMesh.Testing.Processes;

namespace GrpcMesh.Interop.Tests;

/// <summary>
/// A real browser: Debian's chromium, headless, driven by playwright-core (tests/browser/drive.mjs), loads a page served
/// from another loopback origin (<see cref="BrowserSite"/>) that calls UserService and OrderService over gRPC-Web
/// (connect-web, client generated from protos/ in this run) and over the JSON API. The test reads what the page rendered.
/// </summary>
public sealed partial class BrowserTests
{
    private const string Confirmed = "ORDER_EVENT_TYPE_CONFIRMED";

    // Generous for a loaded 2-core machine: the browser's start and every call usually take well under 5 s together.
    private static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(90);

    [Fact(Timeout = TestTimeouts.Default)]
    public async Task Chromium_PageOverGrpcWebAndJsonApi_RendersUsersFieldViolationsAndLiveOrderEvents()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper;
        await using var site = await BrowserSite.StartAsync();
        var cors = new Dictionary<string, string> { ["Http:CorsOrigins:0"] = site.Origin };
        await using var userService = await ServiceProcess.StartAsync(ServiceProcess.UserService, cors);
        await using var orderService = await ServiceProcess.StartAsync(ServiceProcess.OrderService, new Dictionary<string, string>(cors)
        {
            ["Clients:UserService:Address"] = userService.Address.ToString(),
            // Its "live from" line (EventId 2210) tells the test the page's WatchOrders call is subscribed.
            ["Logging:LogLevel:GrpcMesh.OrderService.Events.OrderWatchStream"] = "Debug",
        });
        var page = new Uri(site.Url, $"index.html?user={Base(userService.HttpUrl)}&order={Base(orderService.HttpUrl)}");

        await using var browser = NodeScript.Start("drive.mjs", page.ToString(), Confirmed);
        var ready = await browser.ReadJsonAsync("the page's results", PageTimeout);
        var results = ready.GetProperty("results");
        string Text(string id) => results.GetProperty(id).GetProperty("text").GetString()!;
        Assert.True(results.GetProperty("created").GetProperty("state").GetString() == "ok", $"the page failed: {ready}");

        var userId = Text("created");
        Assert.Matches(UserId(), userId);
        Assert.Matches(EmailAndName(), Text("grpc-web-user"));
        Assert.Equal($"200 {Text("grpc-web-user")}", Text("json-user"));
        Assert.StartsWith("InvalidArgument email: ", Text("grpc-web-invalid"), StringComparison.Ordinal);
        Assert.StartsWith("400 InvalidArgument email: ", Text("json-invalid"), StringComparison.Ordinal);
        Assert.Equal($"watching {userId}", Text("watch"));

        // The service subscribed the page's stream before the order exists: whatever the page shows next arrived live.
        await Eventually.WaitAsync(() => orderService.OutputLines.Any(l =>
            l.Contains("\"EventId\":2210", StringComparison.Ordinal) && l.Contains(userId, StringComparison.Ordinal)),
            "OrderService to subscribe the page's WatchOrders call");
        using var channel = GrpcChannel.ForAddress(orderService.Address);
        var placed = Stopwatch.StartNew();
        var order = (await new Order.V1.OrderService.OrderServiceClient(channel).CreateOrderAsync(new CreateOrderRequest
        {
            RequestId = $"browser-{Guid.NewGuid():N}",
            UserId = userId,
            Items = { new OrderItem { Sku = "sku-1", Quantity = 1, UnitPrice = new Money { CurrencyCode = "USD", Units = 7 } } },
        }, cancellationToken: ct)).Order;
        var watched = await browser.ReadJsonAsync("the WatchOrders events", PageTimeout);
        var shownAfter = placed.Elapsed;

        var events = watched.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("text").GetString()!).ToList();
        Assert.True(events.Count == 2, $"expected CREATED then CONFIRMED, the page shows: {watched}");
        Assert.EndsWith($" ORDER_EVENT_TYPE_CREATED {order.Id}", events[0], StringComparison.Ordinal);
        Assert.EndsWith($" {Confirmed} {order.Id}", events[1], StringComparison.Ordinal);
        Assert.Equal($"watching {userId}", watched.GetProperty("watch").GetString());
        Assert.Empty(watched.GetProperty("problems").EnumerateArray());

        output?.WriteLine($"browser timings (ms since navigation start): page loaded {Ms(ready.GetProperty("loadMs"))}; " +
            string.Join("; ", results.EnumerateObject().Select(r => $"{r.Name} {Ms(r.Value.GetProperty("ms"))}")) +
            $"; page.goto {ready.GetProperty("gotoMs")} ms; events {string.Join(", ", watched.GetProperty("events").EnumerateArray().Select(e => Ms(e.GetProperty("ms"))))}" +
            $"; CreateOrder sent → CONFIRMED seen by the driver {shownAfter.TotalMilliseconds:F0} ms");
    }

    private static string Base(Uri url) => Uri.EscapeDataString(url.GetLeftPart(UriPartial.Authority));

    private static string Ms(JsonElement value) => value.GetDouble().ToString("F0", CultureInfo.InvariantCulture);

    [GeneratedRegex("^usr_[A-Za-z0-9]+$")]
    private static partial Regex UserId();

    [GeneratedRegex(@"^browser-[0-9a-f-]{36}@example\.com Browser$")]
    private static partial Regex EmailAndName();
}

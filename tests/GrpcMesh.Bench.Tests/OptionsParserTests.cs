using GrpcMesh.LoadTest.Cli;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

public sealed class OptionsParserTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_NoArguments_UsesDefaults() => TestTimeouts.RunSync(() =>
    {
        var options = OptionsParser.Parse([]);

        Assert.Equal(TimeSpan.FromSeconds(10), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Warmup);
        Assert.Equal(32, options.Concurrency);
        Assert.Equal(4, options.Connections);
        Assert.Null(options.Scenarios);
        Assert.Null(options.Rate);
        Assert.False(options.Smoke);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_SmokeWithExplicitDuration_ExplicitValueWinsOverPreset() => TestTimeouts.RunSync(() =>
    {
        var options = OptionsParser.Parse(["--duration", "2s", "--smoke"]);

        Assert.True(options.Smoke);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(8, options.Concurrency);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_AllOptions_AreRead() => TestTimeouts.RunSync(() =>
    {
        var options = OptionsParser.Parse([
            "--scenarios", "baseline, python", "--duration", "1m", "--warmup", "500ms", "--concurrency", "64",
            "--connections", "8", "--rate", "2500", "--open-loop", "0.25", "--users", "50", "--repeat", "3", "--json", "out.json",
            "--build", "--verbose", "--python-mode", "sync",
        ]);

        Assert.Equal(["baseline", "python"], options.Scenarios);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(64, options.Concurrency);
        Assert.Equal(8, options.Connections);
        Assert.Equal(2500, options.Rate);
        Assert.Equal(0.25, options.OpenLoopFraction);
        Assert.Equal(50, options.Users);
        Assert.Equal(3, options.Repeat);
        Assert.Equal("out.json", options.JsonPath);
        Assert.True(options.Build);
        Assert.True(options.Verbose);
        Assert.Equal("sync", options.PythonMode);
    }, TestContext.Current.CancellationToken);

    [Theory(Timeout = TestTimeouts.Default)]
    [InlineData("--concurrency", "0", "--concurrency: '0' must be a whole number from 1")]
    [InlineData("--duration", "soon", "--duration: 'soon' is not a positive time")]
    [InlineData("--duration", "0", "--duration: '0' is not a positive time")]
    [InlineData("--open-loop", "1.5", "--open-loop: '1.5' must be a number from 0 to 1")]
    [InlineData("--python-mode", "threads", "--python-mode: 'threads' must be aio or sync")]
    public Task Parse_BadValue_ThrowsNamingTheOption(string name, string value, string expected) => TestTimeouts.RunSync(() =>
    {
        var ex = Assert.Throws<ArgumentException>(() => OptionsParser.Parse([name, value]));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_MissingValue_Throws() => TestTimeouts.RunSync(() =>
    {
        var ex = Assert.Throws<ArgumentException>(() => OptionsParser.Parse(["--duration", "--smoke"]));

        Assert.Equal("--duration needs a value", ex.Message);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_UnknownOption_Throws() => TestTimeouts.RunSync(() =>
    {
        var ex = Assert.Throws<ArgumentException>(() => OptionsParser.Parse(["--fast"]));

        Assert.Equal("unknown option '--fast'", ex.Message);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = TestTimeouts.Default)]
    public Task Parse_TrafficAndOverloadOptions_AreReadAndSmokeShrinksTheOverload() => TestTimeouts.RunSync(() =>
    {
        var defaults = OptionsParser.Parse([]);
        var smoke = OptionsParser.Parse(["--smoke", "--traffic"]);
        var explicitValues = OptionsParser.Parse(["--overload-slots", "16", "--overload-hold", "1ms", "--overload-duration", "30s", "--smoke",
            "--hedging-service-time", "0"]);

        Assert.False(defaults.Traffic);
        Assert.Equal(TimeSpan.FromMilliseconds(2), defaults.HedgingServiceTime);
        Assert.Equal(1_200, defaults.HedgingRate);
        Assert.Equal(2_500, OptionsParser.Parse(["--hedging-rate", "2500"]).HedgingRate);
        Assert.Equal(TimeSpan.Zero, explicitValues.HedgingServiceTime);
        Assert.Throws<ArgumentException>(() => OptionsParser.Parse(["--hedging-service-time", "-1ms"]));
        Assert.Equal((8, TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(15)), (defaults.OverloadSlots, defaults.OverloadHold, defaults.OverloadDuration));
        Assert.True(smoke.Traffic);
        Assert.Equal((2, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1.5)), (smoke.OverloadSlots, smoke.OverloadHold, smoke.OverloadDuration));
        Assert.Equal((16, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30)), (explicitValues.OverloadSlots, explicitValues.OverloadHold, explicitValues.OverloadDuration));
    }, TestContext.Current.CancellationToken);
}

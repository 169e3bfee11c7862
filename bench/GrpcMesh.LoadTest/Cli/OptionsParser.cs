using System.Globalization;

namespace GrpcMesh.LoadTest.Cli;

/// <summary>Parses <c>--name value</c> options; explicit values win over the <c>--smoke</c> presets.</summary>
internal static class OptionsParser
{
    public const string Usage = """
        Usage: dotnet run -c Release --project bench/GrpcMesh.LoadTest -- [options]

          --scenarios a,b,...    scenarios to run (default: all but the traffic ones); see the list below
          --traffic              the traffic-management scenarios (lb-*, hedging-*, overload), besides any --scenarios
          --duration <time>      measured phase length (default 10s; closed loop, then open loop)
          --warmup <time>        unrecorded load before the closed loop (default 5s; the open loop gets 1s)
          --concurrency <n>      closed loop: calls in flight (default 32)
          --connections <n>      HTTP/2 connections, one GrpcChannel each (default 4)
          --rate <req/s>         open loop at this fixed rate only (skips the closed loop)
          --open-loop <fraction> open-loop phase at this fraction of the closed loop's req/s (default 0.5; 0 = off)
          --users <n>            users seeded via CreateUser (default 200)
          --zipf-users <n>       users the -zipf scenarios seed (default 100000)
          --zipf-exponent <s>    Zipf exponent of their keys (default 0.99)
          --repeat <n>           run the scenario list n times (interleaved); each scenario reports its median run
          --json <path>          report file (default artifacts/bench/loadtest.json under the repo root)
          --hedging-rate <n>     hedging-*: open-loop arrival rate per second (default 1200)
          --hedging-service-time <time> hedging-*: every GetUser's own time on every replica (default 2ms; 0 = from memory)
          --overload-slots <n>   overload: the bounded resource's slots (default 8)
          --overload-hold <time> overload: how long each call holds a slot (default 2ms; capacity = slots / hold)
          --overload-duration <time> overload: open loop at 3x the peak for this long (default 15s)
          --smoke                quick check: 0.5s warm-up, 1s phases, concurrency 8, 2 connections, 10 users (100 Zipf),
                                 overload 2 slots x 5ms for 1.5s
          --build                dotnet build the server projects first even if they are built
          --python-mode aio|sync grpcio server flavour (default aio)
          --server-env K=V       environment variable for the .NET servers, repeatable (e.g. DOTNET_PerfMapEnabled=1)
          --verbose              echo the servers' output
          --help                 this text

        <time> is seconds (10, 2.5) or has a unit (500ms, 10s, 1m).
        """;

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        var options = new LoadTestOptions { Smoke = smoke };
        if (smoke)
        {
            options = LoadTestOptions.SmokeDefaults(options);
        }

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new ArgumentException($"{name} needs a value");

            options = name switch
            {
                "--smoke" => options,
                "--build" => options with { Build = true },
                "--verbose" => options with { Verbose = true },
                "--scenarios" => options with { Scenarios = ParseList(Value()) },
                "--duration" => options with { Duration = ParseTime(name, Value()) },
                "--warmup" => options with { Warmup = ParseTime(name, Value(), allowZero: true) },
                "--concurrency" => options with { Concurrency = ParseInt(name, Value(), 1, 10_000) },
                "--connections" => options with { Connections = ParseInt(name, Value(), 1, 256) },
                "--rate" => options with { Rate = ParseDouble(name, Value(), 1, 1_000_000) },
                "--open-loop" => options with { OpenLoopFraction = ParseDouble(name, Value(), 0, 1) },
                "--users" => options with { Users = ParseInt(name, Value(), 1, 100_000) },
                "--zipf-users" => options with { ZipfUsers = ParseInt(name, Value(), 1, 1_000_000) },
                "--zipf-exponent" => options with { ZipfExponent = ParseDouble(name, Value(), 0, 3) },
                "--repeat" => options with { Repeat = ParseInt(name, Value(), 1, 100) },
                "--json" => options with { JsonPath = Value() },
                "--traffic" => options with { Traffic = true },
                "--hedging-rate" => options with { HedgingRate = ParseDouble(name, Value(), 1, 1_000_000) },
                "--hedging-service-time" => options with { HedgingServiceTime = ParseTime(name, Value(), allowZero: true) },
                "--overload-slots" => options with { OverloadSlots = ParseInt(name, Value(), 1, 10_000) },
                "--overload-hold" => options with { OverloadHold = ParseTime(name, Value()) },
                "--overload-duration" => options with { OverloadDuration = ParseTime(name, Value()) },
                "--python-mode" => options with { PythonMode = ParsePythonMode(Value()) },
                "--server-env" => options with { ServerEnvironment = WithVariable(options.ServerEnvironment, Value()) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        return options;
    }

    public static TimeSpan ParseTime(string name, string text, bool allowZero = false)
    {
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1.0),
            _ when text.EndsWith('m') => (text[..^1], 60.0),
            _ => (text, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || value < 0 || (value == 0 && !allowZero) || double.IsInfinity(value))
        {
            throw new ArgumentException($"{name}: '{text}' is not a {(allowZero ? "non-negative" : "positive")} time like 10, 2.5s or 500ms");
        }

        return TimeSpan.FromSeconds(value * scale);
    }

    private static int ParseInt(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name}: '{text}' must be a whole number from {min} to {max}");

    private static double ParseDouble(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name}: '{text}' must be a number from {min} to {max}");

    private static string[] ParseList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Dictionary<string, string> WithVariable(IReadOnlyDictionary<string, string> variables, string text)
    {
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException($"--server-env: '{text}' must look like NAME=value");
        }

        return new Dictionary<string, string>(variables) { [text[..separator]] = text[(separator + 1)..] };
    }

    private static string ParsePythonMode(string text) =>
        text is "aio" or "sync" ? text : throw new ArgumentException($"--python-mode: '{text}' must be aio or sync");
}

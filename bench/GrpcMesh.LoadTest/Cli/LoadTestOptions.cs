namespace GrpcMesh.LoadTest.Cli;

/// <summary>Everything a run can be told on the command line; defaults fit a 2-core box in a few minutes.</summary>
internal sealed record LoadTestOptions
{
    public IReadOnlyList<string>? Scenarios { get; init; }

    /// <summary>Length of each measured phase (closed loop, then open loop).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load before each measured phase whose calls are not recorded (JIT, connection set-up, pools).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Closed loop: calls in flight at all times.</summary>
    public int Concurrency { get; init; } = 32;

    /// <summary>HTTP/2 connections (one GrpcChannel each); the calls are spread over them.</summary>
    public int Connections { get; init; } = 4;

    /// <summary>Open loop at a fixed rate instead of the closed loop (no max-throughput search).</summary>
    public double? Rate { get; init; }

    /// <summary>The open-loop phase runs at this fraction of the closed loop's measured req/s; 0 skips it.</summary>
    public double OpenLoopFraction { get; init; } = 0.5;

    /// <summary>Users created through CreateUser before the load; GetUser cycles through them.</summary>
    public int Users { get; init; } = 200;

    /// <summary>Users the <c>-zipf</c> scenarios seed; GetUser picks among them Zipf-distributed.</summary>
    public int ZipfUsers { get; init; } = 100_000;

    /// <summary>Exponent s of the Zipf distribution (weight of rank k = 1/k^s).</summary>
    public double ZipfExponent { get; init; } = 0.99;

    /// <summary>Runs of the whole scenario list; each scenario reports its median run.</summary>
    public int Repeat { get; init; } = 1;

    public string? JsonPath { get; init; }

    /// <summary>Runs the traffic-management scenarios (issue 18), besides any named ones; a run without <c>--scenarios</c> leaves them out.</summary>
    public bool Traffic { get; init; }

    /// <summary>
    /// <c>hedging-*</c>: arrival rate of the open loop: about a fifth of what the box serves on this path (the scenario's
    /// closed loop: ~6,000/s with 2 ms calls on 2 cores), so its own queueing does not make the tail.
    /// </summary>
    public double HedgingRate { get; init; } = 1_200;

    /// <summary><c>hedging-*</c>: what every GetUser of every replica takes (a read from the service's database); 0 answers from memory at once.</summary>
    public TimeSpan HedgingServiceTime { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary><c>overload</c>: "connections" of the replica's bounded downstream resource.</summary>
    public int OverloadSlots { get; init; } = 8;

    /// <summary><c>overload</c>: how long each call holds one (capacity ≈ slots ÷ hold: 8 ÷ 2 ms = 4,000 req/s).</summary>
    public TimeSpan OverloadHold { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary><c>overload</c>: length of the open loop at 3× the peak.</summary>
    public TimeSpan OverloadDuration { get; init; } = TimeSpan.FromSeconds(15);

    public bool Smoke { get; init; }

    /// <summary>Run <c>dotnet build</c> on the server projects even when their dlls exist.</summary>
    public bool Build { get; init; }

    /// <summary>Echo the servers' output (otherwise only shown when a server fails).</summary>
    public bool Verbose { get; init; }

    /// <summary>Extra environment variables for the .NET servers (profiling, e.g. DOTNET_PerfMapEnabled=1).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>grpcio server flavour: "aio" (asyncio) or "sync" (thread pool).</summary>
    public string PythonMode { get; init; } = "aio";

    public static LoadTestOptions SmokeDefaults(LoadTestOptions options) => options with
    {
        Duration = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.FromMilliseconds(500),
        Concurrency = 8,
        Connections = 2,
        Users = 10,
        ZipfUsers = 100,
        HedgingRate = 300,
        OverloadSlots = 2,
        OverloadHold = TimeSpan.FromMilliseconds(5),
        OverloadDuration = TimeSpan.FromSeconds(1.5),
    };
}

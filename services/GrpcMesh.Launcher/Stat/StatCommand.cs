namespace GrpcMesh.Launcher.Stat;

/// <summary>
/// <c>stat [--once] [--interval 5s] [NAME=URL]...</c>: scrapes the running services' /metrics (by default the mesh's,
/// <see cref="MeshMetrics"/>) every interval and prints the golden signals per service and method, the calls each service
/// makes, and its clients' breakers and endpoints. <c>--once</c> prints one table (two scrapes an interval apart) and exits.
/// </summary>
internal static class StatCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (StatArguments.Parse(args, out var problem) is not { } options)
        {
            error.WriteLine($"{problem}; {StatArguments.Usage}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var before = await ScrapeAsync(http, options.Targets);
        try
        {
            while (true)
            {
                var started = DateTimeOffset.UtcNow;
                await Task.Delay(options.Interval, stop.Token);
                var after = await ScrapeAsync(http, options.Targets);
                var now = DateTimeOffset.UtcNow;
                var reached = options.Targets.Select((t, i) => (t.Name, Before: before[i].Samples, After: after[i].Samples))
                    .Where(s => s.After is not null).Select(s => (s.Name, (IReadOnlyList<Sample>)(s.Before ?? []), s.After!)).ToList();
                var problems = after.Where(a => a.Problem is not null).Select(a => a.Problem!).ToList();
                var table = StatTable.Render(MeshStat.Compute(reached, now - started), now, now - started, problems);
                if (!options.Once && !Console.IsOutputRedirected)
                {
                    output.Write("\e[H\e[2J");
                }

                output.Write(table);
                if (options.Once)
                {
                    return reached.Count > 0 ? 0 : 1;
                }

                before = after;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static async Task<(IReadOnlyList<Sample>? Samples, string? Problem)[]> ScrapeAsync(HttpClient http, IReadOnlyList<(string Name, Uri Url)> targets) =>
        await Task.WhenAll(targets.Select(async target =>
        {
            try
            {
                return ((IReadOnlyList<Sample>?)PrometheusText.Parse(await http.GetStringAsync(target.Url)), (string?)null);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                return (null, $"{target.Name}: {target.Url} did not answer ({ex.Message}). Is the mesh running (dotnet run --project services/GrpcMesh.Launcher)?");
            }
        }));
}

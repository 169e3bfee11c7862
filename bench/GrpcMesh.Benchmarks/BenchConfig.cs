using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace GrpcMesh.Benchmarks;

/// <summary>
/// In-process toolchain (no generated project to build, which on a 2-core box costs more than the measurements and
/// would inherit the repo's strict build settings), a short but repeatable job, allocated bytes per operation.
/// </summary>
public static class BenchConfig
{
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("InProcess"))
        .AddDiagnoser(MemoryDiagnoser.Default);
}

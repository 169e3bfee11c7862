namespace GrpcMesh.Reliability.Tests.Support;

/// <summary>Tests that measure latencies run on their own, after the parallel ones, so other tests do not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingSensitive
{
    public const string Name = "Timing-sensitive";
}

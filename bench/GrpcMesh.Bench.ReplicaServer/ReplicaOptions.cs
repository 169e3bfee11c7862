using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Bench.ReplicaServer;

/// <summary>Section <c>Replica</c>: how this replica misbehaves. The defaults answer at once.</summary>
public sealed class ReplicaOptions
{
    public const string SectionName = "Replica";

    /// <summary>Shown in the start-up line, to tell replicas apart in the harness's output.</summary>
    [Required]
    public string Name { get; set; } = "replica";

    /// <summary>Added to every GetUser (a slow replica, or the time a real one spends on its database), timed by <see cref="PreciseDelays"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ExtraDelay { get; set; }

    /// <summary>Every n-th GetUser this replica serves waits <see cref="SlowDelay"/> more; 0 = never.</summary>
    [Range(0, 1_000_000)]
    public int SlowEvery { get; set; }

    /// <summary>A stall: a .NET timer is precise enough, and the call's cancellation (a hedge that won) ends it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// "Connections" of a bounded downstream resource each GetUser holds for <see cref="ResourceHold"/> (waiting for a
    /// free one first): capacity ≈ slots ÷ hold. 0 = no such resource.
    /// </summary>
    [Range(0, 10_000)]
    public int ResourceSlots { get; set; }

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan ResourceHold { get; set; } = TimeSpan.FromMilliseconds(2);
}

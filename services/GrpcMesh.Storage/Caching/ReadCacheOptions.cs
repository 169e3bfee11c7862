using System.ComponentModel.DataAnnotations;

namespace GrpcMesh.Storage.Caching;

/// <summary>The <c>Storage:ReadCache</c> section: the in-process cache of hot point reads (e.g. GetUser by id).</summary>
public sealed class ReadCacheOptions
{
    public const string SectionName = "Storage:ReadCache";

    /// <summary>Off: every read goes to the store.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Entries kept at most; beyond it the least recently used are evicted (a user entry is ~1 KiB).</summary>
    [Range(1, 10_000_000)]
    public int MaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Age after which an entry is read again from the store whatever happened. Invalidation keeps entries exact; this
    /// only bounds how long a change nothing announced (a hand-made SQL update) can stay unseen.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromMinutes(5);
}

using GrpcMesh.LoadTest.Load;
using GrpcMesh.Testing;

namespace GrpcMesh.Bench.Tests;

public sealed class ZipfKeysTests
{
    [Fact(Timeout = TestTimeouts.Default)]
    public Task Sample_HundredThousandKeys_SkewedLikeZipfAndEveryIndexInRange() => TestTimeouts.RunSync(() =>
    {
        const int keys = 100_000;
        var sample = ZipfKeys.Sample(keys, exponent: 0.99, count: 1 << 20);

        Assert.All(sample, k => Assert.InRange(k, 0, keys - 1));
        var counts = sample.GroupBy(k => k).Select(g => g.Count()).OrderDescending().ToList();
        // With s = 0.99 over 100,000 keys the top 1 % of keys carry about 60 % of reads and the hottest about 8 %;
        // the bounds leave room for sampling noise (2^20 draws).
        var top1Percent = counts.Take(keys / 100).Sum() / (double)sample.Length;
        Assert.InRange(top1Percent, 0.5, 0.7);
        Assert.InRange(counts[0] / (double)sample.Length, 0.06, 0.10);
        Assert.True(counts.Count > keys / 2, $"only {counts.Count} distinct keys drawn: the tail should be wide");
        Assert.Equal(sample, ZipfKeys.Sample(keys, exponent: 0.99, count: 1 << 20)); // same seed, same sequence
    }, TestContext.Current.CancellationToken);
}

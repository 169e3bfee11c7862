namespace GrpcMesh.LoadTest.Load;

/// <summary>
/// Key indexes drawn from a Zipf distribution (rank k has weight 1/k^s): a few keys are hot, most are cold, as in real
/// read traffic (YCSB's default s = 0.99). Drawn once, from a fixed seed, so every scenario of a run reads the same
/// sequence.
/// </summary>
internal static class ZipfKeys
{
    public static int[] Sample(int keys, double exponent, int count, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keys, 1);
        var cumulative = new double[keys];
        var total = 0.0;
        for (var rank = 1; rank <= keys; rank++)
        {
            total += 1.0 / Math.Pow(rank, exponent);
            cumulative[rank - 1] = total;
        }

        // Rank 1 is not key 0: spread the hot keys over the id space, as the ids of hot users would be.
        var keyOfRank = Enumerable.Range(0, keys).ToArray();
        var random = new Random(seed);
        random.Shuffle(keyOfRank);
        var sample = new int[count];
        for (var i = 0; i < count; i++)
        {
            var rank = Array.BinarySearch(cumulative, random.NextDouble() * total);
            sample[i] = keyOfRank[rank < 0 ? Math.Min(~rank, keys - 1) : rank];
        }

        return sample;
    }
}

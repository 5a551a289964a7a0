namespace IclTheory.Simulation;

/// <summary>
/// A fixed partition of n items into contiguous chunks whose count does not depend on the number of threads:
/// each chunk is processed serially in index order and chunk results are combined in chunk order,
/// so parallel results are bit-identical to serial ones.
/// </summary>
internal readonly record struct ChunkedParallel(int Items, int Chunks)
{
    /// <summary>Upper bound on the number of chunks (and of per-chunk buffers).</summary>
    public const int MaxChunks = 16;

    public static ChunkedParallel For(int items) => new(items, Math.Min(items, MaxChunks));

    public int Start(int chunk) => (int)((long)chunk * Items / Chunks);

    public int End(int chunk) => (int)((long)(chunk + 1) * Items / Chunks);

    public static ParallelOptions Options(int maxDegreeOfParallelism, CancellationToken ct) =>
        new() { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = ct };
}

namespace IclTheory.Simulation;

/// <summary>What a child random stream is used for; part of its hash key, so streams never collide across uses.</summary>
public enum StreamPurpose : ulong
{
    /// <summary>Contexts drawn by online SGD, keyed by (step, index in batch).</summary>
    TrainContext = 1,

    /// <summary>Fresh contexts for test-loss evaluation, keyed by (0, context index).</summary>
    EvalContext = 2,

    /// <summary>Draws used by tests and diagnostics.</summary>
    Auxiliary = 3,
}

/// <summary>
/// Derives a child seed per (seed, purpose, step, index) by hashing, so each context owns its own
/// stream and a parallel batch is bit-identical to a serial one whatever the thread count.
/// </summary>
public static class StreamSeed
{
    /// <summary>The child seed of cell (purpose, step, index) under the master <paramref name="seed"/>.</summary>
    public static ulong Derive(ulong seed, StreamPurpose purpose, long step, long index)
    {
        var h = SplitMix64.Mix(seed + SplitMix64.GoldenGamma);
        h = SplitMix64.Combine(h, (ulong)purpose);
        h = SplitMix64.Combine(h, unchecked((ulong)step));
        return SplitMix64.Combine(h, unchecked((ulong)index));
    }
}

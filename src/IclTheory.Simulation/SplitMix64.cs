namespace IclTheory.Simulation;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): the seeding generator for <see cref="Xoshiro256StarStar"/>
/// and the mixing function used to derive independent child streams.
/// </summary>
public static class SplitMix64
{
    /// <summary>The golden-ratio increment 2^64/φ of the SplitMix64 sequence.</summary>
    public const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    /// <summary>The SplitMix64 output finalizer: a bijective avalanche mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Advances a SplitMix64 state and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += GoldenGamma;
        return Mix(state);
    }

    /// <summary>Hashes <paramref name="value"/> into <paramref name="hash"/>; order matters, so (a, b) ≠ (b, a).</summary>
    public static ulong Combine(ulong hash, ulong value) => Mix(hash + GoldenGamma + Mix(value + GoldenGamma));
}

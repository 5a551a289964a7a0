using System.Numerics;
using System.Runtime.CompilerServices;

namespace IclTheory.Simulation;

/// <summary>
/// xoshiro256** (Blackman and Vigna 2018): a fast 64-bit generator with 256 bits of state,
/// seeded through <see cref="SplitMix64"/>. A mutable struct: pass it by <c>ref</c>.
/// </summary>
public struct Xoshiro256StarStar
{
    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    /// <summary>Seeds the 256-bit state with four SplitMix64 outputs of <paramref name="seed"/>.</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var state = seed;
        s0 = SplitMix64.Next(ref state);
        s1 = SplitMix64.Next(ref state);
        s2 = SplitMix64.Next(ref state);
        s3 = SplitMix64.Next(ref state);
        if ((s0 | s1 | s2 | s3) == 0)
        {
            s0 = SplitMix64.GoldenGamma;
        }
    }

    /// <summary>Sets the raw state (for reference-vector tests); the state must not be all zero.</summary>
    public static Xoshiro256StarStar FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("The xoshiro256** state must not be all zero.", nameof(s0));
        }

        var rng = default(Xoshiro256StarStar);
        rng.s0 = s0;
        rng.s1 = s1;
        rng.s2 = s2;
        rng.s3 = s3;
        return rng;
    }

    /// <summary>The child stream for one (seed, purpose, step, index) cell; see <see cref="StreamSeed"/>.</summary>
    public static Xoshiro256StarStar ForCell(ulong seed, StreamPurpose purpose, long step, long index) =>
        new(StreamSeed.Derive(seed, purpose, step, index));

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64() => Step(ref s0, ref s1, ref s2, ref s3);

    /// <summary>
    /// One xoshiro256** step on a state held in four variables: returns the output and advances the
    /// state. Bulk loops call it on locals so that the state stays in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        var result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A standard normal draw (ziggurat, <see cref="Gaussian"/>).</summary>
    public double NextNormal() => Gaussian.Next(ref this);

    /// <summary>Fills <paramref name="destination"/> with independent standard normals.</summary>
    public void FillNormal(Span<double> destination) => Gaussian.Fill(ref this, destination);

    /// <summary>Copies the 256-bit state out (for loops that keep it in registers).</summary>
    internal readonly void ExportState(out ulong state0, out ulong state1, out ulong state2, out ulong state3)
    {
        state0 = s0;
        state1 = s1;
        state2 = s2;
        state3 = s3;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IclTheory.Simulation;

/// <summary>
/// Standard normal variates by the ziggurat method (Marsaglia and Tsang 2000) with 256 layers and
/// 64-bit draws (the layer index, the sign and a 53-bit abscissa come from disjoint bits of one draw).
/// About 99% of draws cost one generator call and one multiply.
/// </summary>
public static class Gaussian
{
    private const int Layers = 256;

    /// <summary>Right edge of the base layer for 256 layers (Marsaglia and Tsang 2000).</summary>
    private const double R = 3.6541528853610088;

    /// <summary>Common area of each layer under exp(−x²/2): R·f(R) + √(π/2)·erfc(R/√2).</summary>
    private const double V = 0.004928673233974658;

    private static readonly double[] X = BuildEdges();
    private static readonly double[] F = BuildDensities(X);

    /// <summary>One standard normal draw from <paramref name="rng"/>.</summary>
    public static double Next(ref Xoshiro256StarStar rng)
    {
        var bits = rng.NextUInt64();
        var layer = (int)(bits & 0xFF);
        var value = Abscissa(bits) * X[layer];
        return value < X[layer + 1] ? Signed(value, bits) : Rejected(ref rng, bits);
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with standard normals: the same draws as repeated <see cref="Next"/>,
    /// with the generator state held in registers on the fast path.
    /// </summary>
    public static void Fill(ref Xoshiro256StarStar rng, Span<double> destination)
    {
        rng.ExportState(out var s0, out var s1, out var s2, out var s3);
        ref var edges = ref MemoryMarshal.GetArrayDataReference(X);
        for (var i = 0; i < destination.Length; i++)
        {
            var bits = Xoshiro256StarStar.Step(ref s0, ref s1, ref s2, ref s3);
            var layer = (int)(bits & 0xFF);
            var value = Abscissa(bits) * Unsafe.Add(ref edges, layer);
            if (value < Unsafe.Add(ref edges, layer + 1))
            {
                destination[i] = Signed(value, bits);
                continue;
            }

            rng = Xoshiro256StarStar.FromState(s0, s1, s2, s3);
            destination[i] = Rejected(ref rng, bits);
            rng.ExportState(out s0, out s1, out s2, out s3);
        }

        rng = Xoshiro256StarStar.FromState(s0, s1, s2, s3);
    }

    /// <summary>The 53-bit uniform in [0, 1) carried by bits 11–63 of a draw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Abscissa(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>Applies the sign carried by bit 8 of a draw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Signed(double value, ulong bits) => (bits & 0x100) != 0 ? -value : value;

    /// <summary>The slow path (about 1% of draws): base-layer tail, wedge test, or a fresh draw after rejection.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double Rejected(ref Xoshiro256StarStar rng, ulong bits)
    {
        while (true)
        {
            var layer = (int)(bits & 0xFF);
            var value = Abscissa(bits) * X[layer];
            if (value < X[layer + 1])
            {
                return Signed(value, bits);
            }

            if (layer == 0)
            {
                return Signed(Tail(ref rng), bits);
            }

            if (F[layer] + (F[layer + 1] - F[layer]) * rng.NextDouble() < Math.Exp(-0.5 * value * value))
            {
                return Signed(value, bits);
            }

            bits = rng.NextUInt64();
        }
    }

    /// <summary>A draw from the normal tail beyond R (Marsaglia 1964).</summary>
    private static double Tail(ref Xoshiro256StarStar rng)
    {
        while (true)
        {
            var x = -Math.Log(1.0 - rng.NextDouble()) / R;
            var y = -Math.Log(1.0 - rng.NextDouble());
            if (2.0 * y > x * x)
            {
                return R + x;
            }
        }
    }

    /// <summary>Layer edges: X[0] = V/f(R) (base layer incl. tail), X[1] = R, f(X[i+1]) = f(X[i]) + V/X[i], X[256] = 0.</summary>
    private static double[] BuildEdges()
    {
        var x = new double[Layers + 1];
        x[0] = V / Math.Exp(-0.5 * R * R);
        x[1] = R;
        for (var i = 1; i < Layers - 1; i++)
        {
            x[i + 1] = Math.Sqrt(-2.0 * Math.Log(Math.Exp(-0.5 * x[i] * x[i]) + V / x[i]));
        }

        x[Layers] = 0.0;
        return x;
    }

    private static double[] BuildDensities(double[] x)
    {
        var f = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            f[i] = Math.Exp(-0.5 * x[i] * x[i]);
        }

        return f;
    }
}

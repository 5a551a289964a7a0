using BenchmarkDotNet.Attributes;
using IclTheory.Solver;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace IclTheory.Bench;

/// <summary>
/// One ℒ(γ) evaluation of the finite-(N, L, P) engine (<see cref="TwoPoint"/>, Eq. 103) including its setup
/// (the kernel by node doubling, then the quadratic form) on the power law ν = β = 1 at N = D/4, P → ∞,
/// L = 8, γ = L; target under 20 ms at D = 1000.
/// </summary>
public class TwoPointBenchmarks
{
    private Spectrum.Spectrum spectrum = null!;
    private readonly TwoPoint.Bottleneck bottleneck = new(0.25, FSharpOption<double>.None);
    private readonly FSharpList<System.Tuple<double, int>> probes = ListModule.OfSeq(new[] { System.Tuple.Create(8.0, 8) });

    /// <summary>Input dimension D.</summary>
    [Params(200, 1000)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup() => spectrum = Spectrum.powerLaw(1.0, 1.0, Dim);

    [Benchmark]
    public double LossWithSetup()
    {
        var kernel = TwoPoint.kernelFor(TwoPoint.derived, spectrum, bottleneck, probes, TwoPoint.DefaultTolerance);
        return TwoPoint.lossFrom(kernel, 8.0, 8).Loss;
    }
}

/// <summary>
/// A 64 × 64 grid of final losses ℒ(γ*) (<see cref="ScalingLaw.finalLossOn"/>) on the power law ν = β = 1,
/// D = 256, P → ∞: widths N = 4k (k = 1..64) with one kernel per N, depths L = 1..64 with γ* per L; target
/// under 10 s.
/// </summary>
public class TwoPointGridBenchmarks
{
    private readonly Spectrum.Spectrum spectrum = Spectrum.powerLaw(1.0, 1.0, 256);
    private readonly FSharpList<int> depths = ListModule.OfSeq(System.Linq.Enumerable.Range(1, 64));

    [Benchmark]
    public double FinalLossGrid64x64()
    {
        var total = 0.0;
        for (var k = 1; k <= 64; k++)
        {
            var b = new TwoPoint.Bottleneck(4.0 * k / 256.0, FSharpOption<double>.None);
            var kernel = ScalingLaw.kernelForDepths(spectrum, b, depths, 1e-8);
            for (var l = 1; l <= 64; l++)
            {
                total += ScalingLaw.finalLossOn(kernel, l).Loss;
            }
        }

        return total;
    }
}

using BenchmarkDotNet.Attributes;
using IclTheory.Solver;

namespace IclTheory.Bench;

/// <summary>
/// <c>icl optimum</c>: γ* and ℒ* of Eq. 8 (with the σ² term of Eq. 83), target under 1 ms for every L ≤ 1024.
/// </summary>
[MemoryDiagnoser]
public class OptimumBenchmarks
{
    [Params(1, 4, 16, 64, 256, 1024)]
    public int Depth { get; set; }

    [Params(0.25, 2.0, 8.0)]
    public double Alpha { get; set; }

    [Params(0.0, 1.0)]
    public double Sigma2 { get; set; }

    private IsoParams parameters = null!;

    [GlobalSetup]
    public void Setup() => parameters = new IsoParams(Alpha, IclTheory.Solver.Depth.NewFinite(Depth), Sigma2);

    [Benchmark]
    public double Optimum() => IsoLandscape.optimum(parameters).LossStar;
}

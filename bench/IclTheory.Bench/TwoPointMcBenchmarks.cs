using BenchmarkDotNet.Attributes;
using IclTheory.Simulation;

namespace IclTheory.Bench;

/// <summary>
/// Cost of the exact two-point Monte-Carlo (<see cref="TwoPointMonteCarlo"/>) on one thread for the power-law spectrum
/// ν = β = 1 with N = D/2, P = 2D and a 4×8 (L, g) grid: one call runs <see cref="Samples"/> samples
/// (samples/s = Samples / time). Beside it, the symmetric eigendecomposition of one N×N Wishart matrix, the
/// O(N³) step of each sample.
/// </summary>
[MemoryDiagnoser]
public class TwoPointMcBenchmarks
{
    public const int Samples = 2;

    private TwoPointMcOptions options = null!;
    private SymmetricTridiagonalEigen eigen = null!;
    private double[] matrix = [];
    private double[] eigenvalues = [];
    private double[] eigenvectors = [];

    /// <summary>Input dimension D (width N = D/2, context P = 2D).</summary>
    [Params(200, 400)]
    public int Dim { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        options = new TwoPointMcOptions(Dim, Dim / 2, 2 * Dim, Spectrum.PowerLawLambda(Dim, 1.0), Spectrum.PowerLawOmega(Dim, 1.0, 1.0),
            WidthProjection.Rank, [1, 2, 4, 8], [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0], Samples, Seed: 7,
            MaxDegreeOfParallelism: 1);
        var n = Dim / 2;
        var rng = new Xoshiro256StarStar(3);
        var x = new double[2 * n * n];
        rng.FillNormal(x);
        matrix = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var r = 0; r < 2 * n; r++)
                {
                    matrix[i * n + j] += x[r * n + i] * x[r * n + j];
                }
            }
        }

        eigen = new SymmetricTridiagonalEigen(n);
        eigenvalues = new double[n];
        eigenvectors = new double[n * n];
    }

    [Benchmark]
    public double TwoSamples() => TwoPointMonteCarlo.Run(options).Points[0].Loss;

    [Benchmark]
    public double EigenOfWidthSquare()
    {
        eigen.Decompose(matrix, eigenvalues, eigenvectors);
        return eigenvalues[^1];
    }
}

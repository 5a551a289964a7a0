namespace IclTheory.Simulation.Tests;

public class TwoPointEigenTests
{
    /// <summary>A = O diag(μ) Oᵀ with a Haar O (row-major); μ is then the exact spectrum and O's columns the eigenvectors.</summary>
    private static double[] Planted(double[] mu, ulong seed)
    {
        var n = mu.Length;
        var o = new double[n * n];
        var rng = new Xoshiro256StarStar(seed);
        new HaarOrthogonal(n).Sample(ref rng, o);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var k = 0; k < n; k++)
                {
                    a[i * n + j] += o[i * n + k] * mu[k] * o[j * n + k];
                }
            }
        }

        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(120)]
    public void RecoversThePlantedSpectrumAndEigenvectors(int n)
    {
        // Planted spectrum with a repeated pair, a zero and negative values. Householder + QL is backward stable:
        // eigenvalue errors and residuals ‖Av − θv‖ are O(n ε ‖A‖), and the eigenvector rows are orthonormal to O(n ε).
        var mu = Enumerable.Range(0, n).Select(k => k is 1 or 2 ? 0.75 : k == 3 ? 0.0 : Math.Cos(1.3 * k) * (1 + k)).ToArray();
        var a = Planted(mu, (ulong)n + 5);
        var theta = new double[n];
        var vt = new double[n * n];
        new SymmetricTridiagonalEigen(n).Decompose(a, theta, vt);
        var scale = mu.Max(Math.Abs);
        var expected = mu.Order().ToArray();
        for (var m = 0; m < n; m++)
        {
            Assert.True(Math.Abs(theta[m] - expected[m]) < 1e-13 * n * scale, $"θ[{m}] = {theta[m]:G17} vs {expected[m]:G17}");
            for (var i = 0; i < n; i++)
            {
                var av = 0.0;
                for (var j = 0; j < n; j++)
                {
                    av += a[i * n + j] * vt[m * n + j];
                }

                Assert.True(Math.Abs(av - theta[m] * vt[m * n + i]) < 1e-13 * n * scale, $"residual of eigenpair {m}, coordinate {i}");
            }

            for (var l = 0; l < n; l++)
            {
                var dot = 0.0;
                for (var j = 0; j < n; j++)
                {
                    dot += vt[m * n + j] * vt[l * n + j];
                }

                Assert.True(Math.Abs(dot - (m == l ? 1.0 : 0.0)) < 1e-13 * n, $"(VᵀV)[{m},{l}] = {dot:G17}");
            }
        }
    }

    [Theory]
    [InlineData(128, 64)]
    [InlineData(96, 5)]
    public void RankDeficientGramMatricesConverge(int n, int rank)
    {
        // XᵀX with X rank×n has n − rank zero eigenvalues: a cluster a purely relative deflation test never
        // resolves (the off-diagonals hover at ε‖A‖). Residuals and orthonormality must stay O(n ε ‖A‖).
        var rng = new Xoshiro256StarStar((ulong)(n + rank));
        var x = new double[rank * n];
        rng.FillNormal(x);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var r = 0; r < rank; r++)
                {
                    a[i * n + j] += x[r * n + i] * x[r * n + j];
                }
            }
        }

        var theta = new double[n];
        var vt = new double[n * n];
        new SymmetricTridiagonalEigen(n).Decompose(a, theta, vt);
        var scale = theta.Max(Math.Abs);
        Assert.True(theta.Take(n - rank).All(t => Math.Abs(t) < 1e-12 * n * scale), "the zero cluster");
        for (var m = 0; m < n; m++)
        {
            for (var i = 0; i < n; i++)
            {
                var av = 0.0;
                for (var j = 0; j < n; j++)
                {
                    av += a[i * n + j] * vt[m * n + j];
                }

                Assert.True(Math.Abs(av - theta[m] * vt[m * n + i]) < 1e-13 * n * scale, $"residual of eigenpair {m}, coordinate {i}");
            }
        }
    }

    [Fact]
    public void AgreesWithJacobiOnAWishartMatrix()
    {
        // A second method: the cyclic Jacobi eigenvalues of a 60×60 Gram matrix XᵀX (X 80×60 normal).
        const int n = 60;
        var rng = new Xoshiro256StarStar(3);
        var x = new double[80 * n];
        rng.FillNormal(x);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var r = 0; r < 80; r++)
                {
                    a[i * n + j] += x[r * n + i] * x[r * n + j];
                }
            }
        }

        var theta = new double[n];
        new SymmetricTridiagonalEigen(n).Decompose(a, theta, new double[n * n]);
        var jacobi = SymmetricEigen.Eigenvalues(a, n).Reverse().ToArray();
        for (var m = 0; m < n; m++)
        {
            Assert.True(Math.Abs(theta[m] - jacobi[m]) < 1e-11 * jacobi[^1], $"θ[{m}] = {theta[m]:G17} vs Jacobi {jacobi[m]:G17}");
        }
    }

    [Fact]
    public void DiagonalAndBlockInputsNeedNoReflection()
    {
        // Zero columns make the reflectors trivial (τ = 0): the eigenvalues are read off the diagonal.
        double[] a = [3, 0, 0, 0, -1, 0, 0, 0, 2];
        var theta = new double[3];
        var vt = new double[9];
        new SymmetricTridiagonalEigen(3).Decompose(a, theta, vt);
        Assert.Equal([-1.0, 2.0, 3.0], theta);
        Assert.Equal([0.0, 1, 0, 0, 0, 1, 1, 0, 0], vt.Select(Math.Abs));
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        var eigen = new SymmetricTridiagonalEigen(2);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => eigen.Decompose([1, 2, 3], new double[2], new double[4])).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => eigen.Decompose([1, 0, double.NaN, 1], new double[2], new double[4])).ParamName);
        Assert.Equal("eigenvalues", Assert.Throws<ArgumentException>(() => eigen.Decompose([1, 0, 0, 1], new double[3], new double[4])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => new SymmetricTridiagonalEigen(0)).ParamName);
    }
}

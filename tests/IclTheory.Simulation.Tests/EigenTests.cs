namespace IclTheory.Simulation.Tests;

public class EigenTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    public void JacobiRecoversThePlantedSpectrum(int dim)
    {
        // A = O diag(μ) Oᵀ with a Haar O and planted μ (a repeated pair and negative values included):
        // the eigenvalues are μ exactly; Jacobi is backward stable, so errors are O(D ε ‖A‖).
        var mu = Enumerable.Range(0, dim).Select(k => k == 1 ? 0.75 : Math.Cos(1.3 * k) * (1 + k)).ToArray();
        var o = new double[dim * dim];
        var rng = new Xoshiro256StarStar((ulong)dim);
        new HaarOrthogonal(dim).Sample(ref rng, o);
        var a = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                for (var k = 0; k < dim; k++)
                {
                    a[i * dim + j] += o[i * dim + k] * mu[k] * o[j * dim + k];
                }
            }
        }

        var expected = mu.OrderDescending().ToArray();
        var actual = SymmetricEigen.Eigenvalues(a, dim);
        var scale = mu.Max(Math.Abs);
        for (var k = 0; k < dim; k++)
        {
            Assert.True(Math.Abs(actual[k] - expected[k]) < 1e-12 * dim * scale, $"eigenvalue {k}: {actual[k]:G17} vs {expected[k]:G17}");
        }
    }

    [Fact]
    public void OnlyTheSymmetricPartCounts()
    {
        // [[2, 3], [−1, 2]] has symmetric part [[2, 1], [1, 2]] with eigenvalues 3 and 1.
        Assert.Equal([3.0, 1.0], GammaStatistics.SymmetricEigenvalues([2, 3, -1, 2], 2).Select(v => Math.Round(v, 13)));
        Assert.Equal([4.0, -2.0], GammaStatistics.Diagonal([4, 7, 7, -2], 2));
    }

    [Fact]
    public void BadMatricesAreRefused()
    {
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => SymmetricEigen.Eigenvalues([1, 2, 3], 2)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => SymmetricEigen.Eigenvalues([1, double.NaN, 0, 1], 2)).ParamName);
    }
}

namespace IclTheory.Simulation.Tests;

public class UntiedModelTests
{
    public static TheoryData<int, int, int, int, bool> Shapes => new()
    {
        { 3, 5, 2, 1, false },
        { 4, 7, 3, 2, true },
        { 5, 4, 6, 3, false },
        { 2, 9, 1, 4, true },
        { 6, 12, 5, 5, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardPassMatchesCentralFiniteDifferences(int dim, int points, int eval, int depth, bool rotated)
    {
        // ℒ(D) is a polynomial in the entries of the Γ^ℓ (degree 2 in each layer's entries); central differences with
        // h = 1e-5 have truncation error O(h²) ≈ 1e-10 and round-off O(ε/h) ≈ 1e-11, far below the tolerance 1e-6.
        var (context, task) = Fixture(dim, points, eval, 0.3, rotated, 17);
        var workspace = new ReducedGammaWorkspace(task, depth);
        var gammas = DistinctLayers(dim, depth, 23);
        var gradients = new double[gammas.Length];
        var loss = UntiedGammaModel.LossAndGradient(context, gammas, depth, workspace, gradients, 1.0);
        Assert.Equal(loss, UntiedGammaModel.Loss(context, gammas, depth, workspace));
        Assertions.GradientMatchesCentralDifferences(gammas, gradients, () => UntiedGammaModel.Loss(context, gammas, depth, workspace));
    }

    [Theory]
    [InlineData(4, 7, 3, 1, false)]
    [InlineData(5, 6, 4, 3, true)]
    [InlineData(3, 2, 5, 6, false)]
    public void TiedLayersAreTheRecurrentModel(int dim, int points, int eval, int depth, bool rotated)
    {
        // Γ^ℓ = Γ for every ℓ: the forward pass is the recurrent one operation by operation (identical losses), and
        // the chain rule gives ∂ℒ/∂Γ = Σ_ℓ ∂ℒ/∂Γ^ℓ (equal up to the order of summation).
        var (context, task) = Fixture(dim, points, eval, 0.5, rotated, 5);
        var workspace = new ReducedGammaWorkspace(task, depth);
        var gamma = ModelTests.RandomGamma(dim, 41);
        var gammas = Enumerable.Repeat(gamma, depth).SelectMany(g => g).ToArray();
        var recurrentGradient = new double[dim * dim];
        var layerGradients = new double[depth * dim * dim];
        var recurrent = ReducedGammaModel.LossAndGradient(context, gamma, depth, workspace, recurrentGradient, 1.0);
        var untied = UntiedGammaModel.LossAndGradient(context, gammas, depth, workspace, layerGradients, 1.0);
        Assert.Equal(recurrent, untied);
        var scale = recurrentGradient.Max(Math.Abs);
        for (var e = 0; e < dim * dim; e++)
        {
            var sum = Enumerable.Range(0, depth).Sum(layer => layerGradients[layer * dim * dim + e]);
            Assert.True(Math.Abs(sum - recurrentGradient[e]) <= 1e-12 * scale, $"entry {e}: Σ_ℓ {sum:G17} vs recurrent {recurrentGradient[e]:G17}");
        }
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.7)]
    public void IsotropicLayersGiveAPermutationSymmetricLoss(bool rotated, double sigma2)
    {
        // With Γ^ℓ = γ^ℓ I the residual after the layers is Π_ℓ (I − γ^ℓ Σ̂/L) b, a product of commuting factors, so
        // f* and ℒ(D) are symmetric under permutations of the γ^ℓ (Eq. 117; with noise, Eq. 122), here to 1e-12;
        // a non-isotropic stack is not symmetric, which shows the check can fail.
        const int dim = 5, depth = 3;
        var (context, task) = Fixture(dim, 8, 4, sigma2, rotated, 9);
        var workspace = new ReducedGammaWorkspace(task, depth);
        double[] scalars = [0.3, 1.1, 2.0];
        var reference = UntiedGammaModel.Loss(context, Isotropic(scalars, dim), depth, workspace);
        foreach (var permutation in new[] { new[] { 2, 0, 1 }, new[] { 1, 2, 0 }, new[] { 0, 2, 1 } })
        {
            var permuted = UntiedGammaModel.Loss(context, Isotropic(permutation.Select(i => scalars[i]).ToArray(), dim), depth, workspace);
            Assert.True(Math.Abs(permuted - reference) <= 1e-12 * reference, $"permutation {string.Join(",", permutation)}: {permuted:G17} vs {reference:G17}");
        }

        var layers = DistinctLayers(dim, depth, 3);
        var swapped = layers[(dim * dim)..(2 * dim * dim)].Concat(layers[..(dim * dim)]).Concat(layers[(2 * dim * dim)..]).ToArray();
        Assert.True(Math.Abs(UntiedGammaModel.Loss(context, layers, depth, workspace) - UntiedGammaModel.Loss(context, swapped, depth, workspace)) > 1e-8);
    }

    [Fact]
    public void WrongShapesAreRefused()
    {
        var (context, task) = Fixture(3, 4, 2, 0.0, false, 1);
        var workspace = new ReducedGammaWorkspace(task, 2);
        Assert.Equal("gammas", Assert.Throws<ArgumentException>(() => UntiedGammaModel.Loss(context, new double[9], 2, workspace)).ParamName);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => UntiedGammaModel.LossAndGradient(context, new double[18], 2, workspace, new double[9], 1.0)).ParamName);
        Assert.Equal("context", Assert.Throws<ArgumentException>(() => UntiedGammaModel.Loss(context, new double[27], 3, workspace)).ParamName);
    }

    /// <summary>An ISO or RRS (power law ν = β = 1) task and one sampled context.</summary>
    internal static (IRegressionContext Context, IRegressionTask Task) Fixture(int dim, int points, int eval, double sigma2, bool rotated, ulong seed)
    {
        IRegressionTask task = rotated
            ? new StructuredTask(dim, points, eval, sigma2, Spectrum.PowerLawLambda(dim, 1.0), Spectrum.PowerLawOmega(dim, 1.0, 1.0), CovarianceSetting.RandomRotation)
            : new IsoTask(dim, points, eval, sigma2);
        var context = task.CreateContext();
        context.Sample(seed, StreamPurpose.Auxiliary, dim, points);
        return (context, task);
    }

    /// <summary>L different random matrices near 0.8 I, stacked.</summary>
    internal static double[] DistinctLayers(int dim, int depth, ulong seed) =>
        Enumerable.Range(0, depth).SelectMany(layer => ModelTests.RandomGamma(dim, seed + (ulong)layer)).ToArray();

    private static double[] Isotropic(double[] scalars, int dim) => scalars.SelectMany(g => GammaStatistics.ScaledIdentity(g, dim)).ToArray();

}

namespace IclTheory.Simulation.Tests;

public class GradientMeanTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ShallowMeanGradientIsIdentityMinusCTimesGamma(bool generic)
    {
        // Eq. 62 convention: G = −(D/2) ∂ℒ(D)/∂Γ at L = 1. Its exact finite-D mean is I − c_D Γ for every Γ,
        // c_D = 1 + (D + 1 + σ²D)/P, because E Σ̂² = (1 + (D+1)/P) I for real Gaussian data; Eq. 66 is the
        // D → ∞ form c = 1 + (1 + σ²)/α. Each entry of the mean is checked within 5 SE (36 entries, so a
        // false alarm has probability ≈ 2e-5), and the normalized trace within 4 SE; the last assertion shows
        // the test resolves the 1/P correction, i.e. it would fail for a wrong constant of that size.
        const int dim = 6, points = 12, eval = 6, contexts = 150_000;
        const double sigma2 = 0.5, gammaScale = 0.5;
        var task = new IsoTask(dim, points, eval, sigma2);
        var gamma = generic ? ModelTests.RandomGamma(dim, 77) : GammaStatistics.ScaledIdentity(gammaScale, dim);
        var cFinite = 1.0 + (dim + 1 + sigma2 * dim) / points;
        var cAsymptotic = 1.0 + (1.0 + sigma2) / task.Alpha;
        var context = new IsoContext(task);
        var workspace = new ReducedGammaWorkspace(task, 1);
        var gradient = new double[dim * dim];
        var entries = Enumerable.Range(0, dim * dim).Select(_ => new RunningStat()).ToArray();
        var trace = new RunningStat();
        for (var n = 0; n < contexts; n++)
        {
            context.Sample(2025, StreamPurpose.Auxiliary, 0, n);
            Array.Clear(gradient);
            ReducedGammaModel.LossAndGradient(context, gamma, 1, workspace, gradient, -0.5 * dim);
            for (var e = 0; e < gradient.Length; e++)
            {
                entries[e].Add(gradient[e]);
            }

            trace.Add(GammaStatistics.GammaBar(gradient, dim));
        }

        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var expected = (i == j ? 1.0 : 0.0) - cFinite * gamma[i * dim + j];
                var stat = entries[i * dim + j];
                Assertions.WithinSe(expected, stat.Mean, stat.Se, 5, $"E G[{i},{j}]");
            }
        }

        var gammaBar = GammaStatistics.GammaBar(gamma, dim);
        Assertions.WithinSe(1 - cFinite * gammaBar, trace.Mean, trace.Se, 4, "(1/D) tr E G");
        Assert.True(
            Math.Abs(trace.Mean - (1 - cAsymptotic * gammaBar)) > 4 * trace.Se,
            $"The 1/P finite-size correction ({(cFinite - cAsymptotic) * gammaBar:G3}) is not resolved (SE {trace.Se:G3}).");
    }

    [Theory]
    [InlineData(2, 0.9)]
    [InlineData(4, 2.0)]
    public void DeepMeanGradientAlongTheIdentityIsTheFlowOfEq7(int depth, double gamma)
    {
        // Result 1, Eq. 7: at Γ = γI and σ² = 0, dγ/dt = (1/D) tr⟨Σ̂(I − γΣ̂/L)^{2L−1}⟩ under dΓ/dt = −(D/2)∂ℒ/∂Γ.
        // This holds context by context in conditional mean given X (the x*, y*, β averages give the loss
        // (1/D) tr (I − γΣ̂/L)^{2L}), so the paired difference between (1/D) tr G_n and the right-hand side,
        // computed here from the explicit Σ̂_n, has mean zero; 4 SE. A wrong gradient scale (e.g. D instead of
        // D/2) would shift the mean by the size of the right-hand side itself, hundreds of SE.
        const int dim = 8, points = 16, eval = 8, contexts = 20_000;
        var task = new IsoTask(dim, points, eval, 0.0);
        var gammaMatrix = GammaStatistics.ScaledIdentity(gamma, dim);
        var context = new IsoContext(task);
        var workspace = new ReducedGammaWorkspace(task, depth);
        var gradient = new double[dim * dim];
        var difference = new RunningStat();
        var flow = new RunningStat();
        for (var n = 0; n < contexts; n++)
        {
            context.Sample(31, StreamPurpose.Auxiliary, depth, n);
            Array.Clear(gradient);
            ReducedGammaModel.LossAndGradient(context, gammaMatrix, depth, workspace, gradient, -0.5 * dim);
            var rightHandSide = FlowRightHandSide(context, gamma, depth);
            flow.Add(rightHandSide);
            difference.Add(GammaStatistics.GammaBar(gradient, dim) - rightHandSide);
        }

        Assertions.WithinSe(0.0, difference.Mean, difference.Se, 4, $"(1/D) tr G − Eq. 7 (Eq. 7 mean {flow.Mean:G4})");
        Assert.True(Math.Abs(flow.Mean) > 20 * difference.Se, "The check is too weak to detect a wrong gradient scale.");
    }

    /// <summary>(1/D) tr[Σ̂ (I − γΣ̂/L)^{2L−1}] with Σ̂ = XXᵀ/P formed explicitly.</summary>
    private static double FlowRightHandSide(IsoContext context, double gamma, int depth)
    {
        int dim = context.Task.Dim, points = context.Task.Context;
        var covariance = new double[dim, dim];
        for (var mu = 0; mu < points; mu++)
        {
            var row = context.Row(mu);
            for (var i = 0; i < dim; i++)
            {
                for (var j = 0; j < dim; j++)
                {
                    covariance[i, j] += row[i] * row[j] / points;
                }
            }
        }

        var step = new double[dim, dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                step[i, j] = (i == j ? 1.0 : 0.0) - gamma / depth * covariance[i, j];
            }
        }

        var product = covariance;
        for (var k = 0; k < 2 * depth - 1; k++)
        {
            product = Multiply(product, step);
        }

        var trace = 0.0;
        for (var i = 0; i < dim; i++)
        {
            trace += product[i, i];
        }

        return trace / dim;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var n = a.GetLength(0);
        var c = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var k = 0; k < n; k++)
            {
                for (var j = 0; j < n; j++)
                {
                    c[i, j] += a[i, k] * b[k, j];
                }
            }
        }

        return c;
    }
}

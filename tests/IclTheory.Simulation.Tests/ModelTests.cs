namespace IclTheory.Simulation.Tests;

public class ModelTests
{
    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 3, 5, 2, 1 },
        { 4, 7, 3, 2 },
        { 5, 4, 6, 5 },
        { 6, 12, 6, 3 },
        { 2, 9, 1, 5 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardPassMatchesCentralFiniteDifferences(int dim, int points, int eval, int depth)
    {
        // ℒ(D) is a polynomial of degree 2L in Γ; central differences with h = 1e-5 have truncation error
        // O(h² ℒ''') ≈ 1e-10 and round-off O(ε ℒ / h) ≈ 1e-11, far below the 1e-6 relative tolerance.
        var task = new IsoTask(dim, points, eval, 0.3);
        var context = new IsoContext(task);
        context.Sample(17, StreamPurpose.Auxiliary, dim, depth);
        var workspace = new ReducedGammaWorkspace(task, depth);
        var gamma = RandomGamma(dim, 23);
        var gradient = new double[dim * dim];
        var loss = ReducedGammaModel.LossAndGradient(context, gamma, depth, workspace, gradient, 1.0);
        Assert.Equal(loss, ReducedGammaModel.Loss(context, gamma, depth, workspace));
        Assertions.GradientMatchesCentralDifferences(gamma, gradient, () => ReducedGammaModel.Loss(context, gamma, depth, workspace));
    }

    [Fact]
    public void GradientIsScaledAndAccumulated()
    {
        var task = new IsoTask(4, 6, 3, 0.0);
        var context = new IsoContext(task);
        context.Sample(3, StreamPurpose.Auxiliary, 0, 0);
        var workspace = new ReducedGammaWorkspace(task, 2);
        var gamma = RandomGamma(4, 5);
        var once = new double[16];
        ReducedGammaModel.LossAndGradient(context, gamma, 2, workspace, once, 1.0);
        var accumulated = new double[16];
        ReducedGammaModel.LossAndGradient(context, gamma, 2, workspace, accumulated, 0.5);
        ReducedGammaModel.LossAndGradient(context, gamma, 2, workspace, accumulated, 2.5);
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(3.0 * once[i], accumulated[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(4, 6, 3, 1)]
    [InlineData(4, 6, 3, 3)]
    [InlineData(5, 3, 4, 6)]
    public void EfficientForwardEqualsTheLiteralMatrixFormulaOfEq52(int dim, int points, int eval, int depth)
    {
        var task = new IsoTask(dim, points, eval, 0.5);
        var context = new IsoContext(task);
        context.Sample(8, StreamPurpose.Auxiliary, depth, 1);
        var gamma = RandomGamma(dim, 31);
        var predictions = new double[eval];
        ReducedGammaModel.Predict(context, gamma, depth, new ReducedGammaWorkspace(task, depth), predictions);
        var literal = LiteralEq52(context, gamma, depth);
        for (var k = 0; k < eval; k++)
        {
            Assert.True(
                Math.Abs(predictions[k] - literal[k]) <= 1e-12 * Math.Max(1.0, Math.Abs(literal[k])),
                $"point {k}: efficient {predictions[k]:G17}, literal {literal[k]:G17}");
        }
    }

    /// <summary>f* = (LP)⁻¹ x*ᵀ Γ X Σ_{ℓ&lt;L} (I − (LP)⁻¹ XᵀΓX)^ℓ y with X the D×P matrix, written out literally.</summary>
    private static double[] LiteralEq52(IsoContext context, double[] gamma, int depth)
    {
        int dim = context.Task.Dim, points = context.Task.Context, eval = context.Task.Eval;
        double X(int i, int mu) => context.X[mu * dim + i];
        double G(int i, int j) => gamma[i * dim + j];
        var scale = 1.0 / (depth * points);
        var a = new double[points, points];
        for (var mu = 0; mu < points; mu++)
        {
            for (var nu = 0; nu < points; nu++)
            {
                var xGx = 0.0;
                for (var i = 0; i < dim; i++)
                {
                    for (var j = 0; j < dim; j++)
                    {
                        xGx += X(i, mu) * G(i, j) * X(j, nu);
                    }
                }

                a[mu, nu] = (mu == nu ? 1.0 : 0.0) - scale * xGx;
            }
        }

        var power = (double[])context.Y.Clone();
        var sum = new double[points];
        for (var layer = 0; layer < depth; layer++)
        {
            for (var mu = 0; mu < points; mu++)
            {
                sum[mu] += power[mu];
            }

            var next = new double[points];
            for (var mu = 0; mu < points; mu++)
            {
                for (var nu = 0; nu < points; nu++)
                {
                    next[mu] += a[mu, nu] * power[nu];
                }
            }

            power = next;
        }

        var f = new double[eval];
        for (var k = 0; k < eval; k++)
        {
            for (var i = 0; i < dim; i++)
            {
                for (var j = 0; j < dim; j++)
                {
                    for (var mu = 0; mu < points; mu++)
                    {
                        f[k] += scale * context.XStar[k * dim + i] * G(i, j) * X(j, mu) * sum[mu];
                    }
                }
            }
        }

        return f;
    }

    /// <summary>Γ = 0.8 I + 0.2 N/√D: generic (non-symmetric) and small enough that the recursion is tame.</summary>
    internal static double[] RandomGamma(int dim, ulong seed)
    {
        var rng = new Xoshiro256StarStar(seed);
        var gamma = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                gamma[i * dim + j] = (i == j ? 0.8 : 0.0) + 0.2 * rng.NextNormal() / Math.Sqrt(dim);
            }
        }

        return gamma;
    }
}

namespace IclTheory.Simulation.Tests;

public class FullAttentionModelTests
{
    public static TheoryData<int, int, int, int, int, bool> Shapes => new()
    {
        { 2, 3, 2, 3, 1, true },
        { 3, 5, 2, 4, 2, true },
        { 3, 4, 3, 6, 3, false },
        { 4, 6, 3, 5, 2, false },
        { 2, 7, 1, 4, 4, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardPassMatchesCentralFiniteDifferences(int dim, int points, int eval, int width, int depth, bool tied)
    {
        // ℒ is a polynomial in the weights; at O(1) weights central differences with h = 1e-5 have truncation error
        // O(h² ℒ''') ≈ 1e-10 and round-off O(ε ℒ / h) ≈ 1e-11, far below the 1e-6 relative tolerance.
        var context = Context(dim, points, eval, 0.3, 41 + depth);
        var parameters = FullAttentionParameters.Random(dim, width, depth, tied, 0.9, unitReadout: false, seed: 7);
        var workspace = FullAttentionWorkspace.For(context, parameters);
        var gradient = new double[parameters.Values.Length];
        var loss = FullAttentionModel.LossAndGradient(context, parameters, workspace, gradient, 1.0);
        Assert.Equal(loss, FullAttentionModel.Loss(context, parameters, workspace));
        var largest = gradient.Max(Math.Abs);
        Assert.True(largest > 1e-3, $"degenerate test point: largest gradient entry {largest:G3}");
        Assertions.GradientMatchesCentralDifferences(parameters.Values, gradient, () => FullAttentionModel.Loss(context, parameters, workspace));
    }

    [Fact]
    public void GradientIsScaledAndAccumulated()
    {
        var context = Context(3, 5, 2, 0.0, 3);
        var parameters = FullAttentionParameters.Random(3, 5, 2, false, 0.8, unitReadout: false, seed: 5);
        var workspace = FullAttentionWorkspace.For(context, parameters);
        var once = new double[parameters.Values.Length];
        FullAttentionModel.LossAndGradient(context, parameters, workspace, once, 1.0);
        var accumulated = new double[once.Length];
        FullAttentionModel.LossAndGradient(context, parameters, workspace, accumulated, 0.5);
        FullAttentionModel.LossAndGradient(context, parameters, workspace, accumulated, 2.5);
        for (var i = 0; i < once.Length; i++)
        {
            Assert.Equal(3.0 * once[i], accumulated[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(4, 7, 3, 5, 1)]
    [InlineData(4, 7, 3, 5, 3)]
    [InlineData(5, 6, 4, 8, 4)]
    public void AlignedWeightsPredictLikeTheReducedGammaModel(int dim, int points, int eval, int width, int depth)
    {
        // W_x = E A, W_k = E K Eᵀ, W_q = E Q Eᵀ, W_v = c e eᵀ, w_y = w_o = e (Eqs. 43–45): the label coordinate carries
        // the residual of Eq. 47 with score k_ν·q_μ = c x_νᵀ AᵀKᵀQA x_μ. In ReducedGammaModel's orientation
        // (f* = x*ᵀ Γ b, Eq. 52) that is Γ = c (QA)ᵀ(KA) = c AᵀQᵀKA, the transpose of Eq. 46 as printed.
        var context = Context(dim, points, eval, 0.4, 11 * depth);
        var a = RandomMatrix(dim, 1, 0.8);
        var k = RandomMatrix(dim, 2, 0.8);
        var q = RandomMatrix(dim, 3, 0.8);
        const double c = 0.7;
        var parameters = new FullAttentionParameters(dim, width, depth, tied: true);
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                parameters.Wx[i * dim + j] = a[i, j];
                parameters.Wk(0)[i * width + j] = k[i, j];
                parameters.Wq(0)[i * width + j] = q[i, j];
            }
        }

        parameters.Wv(0)[dim * width + dim] = c;
        parameters.SetUnitReadout();
        var gamma = Scale(c, Multiply(Transpose(Multiply(q, a)), Multiply(k, a)));
        var printedEq46 = Scale(c, Multiply(Transpose(Multiply(k, a)), Multiply(q, a)));

        var attention = new double[eval];
        FullAttentionModel.Predict(context, parameters, FullAttentionWorkspace.For(context, parameters), attention);
        var reduced = ReducedPredictions(context, gamma, depth);
        var printed = ReducedPredictions(context, printedEq46, depth);
        var printedGap = 0.0;
        for (var i = 0; i < eval; i++)
        {
            Assert.True(
                Math.Abs(attention[i] - reduced[i]) <= 1e-12 * Math.Max(1.0, Math.Abs(reduced[i])),
                $"point {i}: attention {attention[i]:G17}, reduced Γ {reduced[i]:G17}");
            printedGap = Math.Max(printedGap, Math.Abs(attention[i] - printed[i]));
        }

        Assert.True(printedGap > 1e-3, $"a non-symmetric Γ must tell the orientations apart; gap {printedGap:G3}");
        var effective = parameters.EffectiveGamma(0);
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                Assert.Equal(gamma[i, j], effective[i * dim + j], 1e-12);
            }
        }
    }

    [Fact]
    public void UntiedLayersWithEqualBlocksEqualTiedLayers()
    {
        var context = Context(3, 6, 3, 0.1, 9);
        var tied = FullAttentionParameters.Random(3, 5, 3, tied: true, 0.9, unitReadout: false, seed: 12);
        var untied = new FullAttentionParameters(3, 5, 3, tied: false);
        tied.Values.AsSpan(0, tied.BlocksOffset).CopyTo(untied.Values);
        for (var block = 0; block < 3; block++)
        {
            tied.Wk(0).CopyTo(untied.Wk(block));
            tied.Wq(0).CopyTo(untied.Wq(block));
            tied.Wv(0).CopyTo(untied.Wv(block));
        }

        var tiedGradient = new double[tied.Values.Length];
        var untiedGradient = new double[untied.Values.Length];
        var tiedLoss = FullAttentionModel.LossAndGradient(context, tied, FullAttentionWorkspace.For(context, tied), tiedGradient, 1.0);
        var untiedLoss = FullAttentionModel.LossAndGradient(context, untied, FullAttentionWorkspace.For(context, untied), untiedGradient, 1.0);
        Assert.Equal(tiedLoss, untiedLoss, 1e-14);

        // The tied gradient is the sum over layers of the untied per-block gradients.
        var blockSize = 3 * 5 * 5;
        for (var i = 0; i < blockSize; i++)
        {
            var sum = 0.0;
            for (var block = 0; block < 3; block++)
            {
                sum += untiedGradient[untied.KOffset(block) + i];
            }

            Assert.Equal(tiedGradient[tied.KOffset(0) + i], sum, 1e-12);
        }
    }

    [Theory]
    [InlineData(0.5, true)]
    [InlineData(0.3, false)]
    public void AlignedInitializationHasGammaTwoSigmaToTheFifth(double sigma, bool tied)
    {
        const int dim = 6, depth = 3;
        var parameters = FullAttentionParameters.Aligned(dim, dim + 2, depth, tied, sigma);
        var expected = 2 * Math.Pow(sigma, 5);
        for (var block = 0; block < parameters.Blocks; block++)
        {
            var gamma = parameters.EffectiveGamma(block);
            for (var i = 0; i < dim; i++)
            {
                for (var j = 0; j < dim; j++)
                {
                    Assert.Equal(i == j ? expected : 0.0, gamma[i * dim + j], 1e-15);
                }
            }
        }

        double[] expectedScales = [Math.Sqrt(2) * sigma, sigma, sigma, sigma, 1, 1, sigma];
        Assert.Equal(expectedScales, Components(parameters.Scales()), (x, y) => Math.Abs(x - y) <= 1e-15);
        Assert.Equal(expectedScales, Components(parameters.Norms()), (x, y) => Math.Abs(x - y) <= 1e-15);
    }

    [Fact]
    public void RandomInitializationIsSeededAndScaled()
    {
        var a = FullAttentionParameters.Random(20, 24, 2, true, 0.1, unitReadout: true, seed: 3);
        var b = FullAttentionParameters.Random(20, 24, 2, true, 0.1, unitReadout: true, seed: 3);
        var c = FullAttentionParameters.Random(20, 24, 2, true, 0.1, unitReadout: true, seed: 4);
        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values, c.Values);
        Assert.Equal(1.0, a.Wo[20]);
        Assert.Equal(1.0, a.Norms().Wy);

        // Entries N(0, scale²/R): ‖W_k‖²_F/D is a mean of R² squares times R/D, so ‖W_k‖_F/√D ≈ 0.1·√(R/D).
        var norms = a.Norms();
        var expected = 0.1 * Math.Sqrt(24.0 / 20.0);
        Assert.InRange(norms.Wk, 0.9 * expected, 1.1 * expected);
        Assert.InRange(norms.Wx, 0.9 * expected, 1.1 * expected);
    }

    [Fact]
    public void MismatchedShapesAreRefused()
    {
        var context = Context(3, 5, 2, 0.0, 1);
        var parameters = new FullAttentionParameters(3, 4, 2, true);
        var workspace = new FullAttentionWorkspace(3, 5, 2, 4, 1);
        Assert.Equal("context", Assert.Throws<ArgumentException>(() => FullAttentionModel.Loss(context, parameters, workspace)).ParamName);
        var gradient = new double[3];
        Assert.Equal(
            "gradient",
            Assert.Throws<ArgumentException>(() => FullAttentionModel.LossAndGradient(context, parameters, FullAttentionWorkspace.For(context, parameters), gradient, 1.0)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new FullAttentionParameters(3, 3, 1, true)).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentOutOfRangeException>(() => new FullAttentionParameters(3, 4, 0, true)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => FullAttentionParameters.Random(3, 4, 1, true, 0.0, true, 1)).ParamName);
    }

    internal static double[] Components(FullAttentionScales s) => [s.Wx, s.Wk, s.Wq, s.Wv, s.Wo, s.Wy, s.W];

    internal static IsoContext Context(int dim, int points, int eval, double sigma2, long index)
    {
        var context = new IsoContext(new IsoTask(dim, points, eval, sigma2));
        context.Sample(29, StreamPurpose.Auxiliary, dim, index);
        return context;
    }

    private static double[] ReducedPredictions(IsoContext context, double[,] gamma, int depth)
    {
        var predictions = new double[context.EvalPoints];
        ReducedGammaModel.Predict(
            context, GammaStatistics.FromMatrix(gamma, context.Dim), depth, new ReducedGammaWorkspace(context.Task, depth), predictions);
        return predictions;
    }

    private static double[,] RandomMatrix(int dim, long index, double scale)
    {
        var rng = Xoshiro256StarStar.ForCell(101, StreamPurpose.Auxiliary, dim, index);
        var matrix = new double[dim, dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                matrix[i, j] = scale * rng.NextNormal() / Math.Sqrt(dim) + (i == j ? 0.5 : 0.0);
            }
        }

        return matrix;
    }

    private static double[,] Multiply(double[,] left, double[,] right)
    {
        var n = left.GetLength(0);
        var product = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                for (var m = 0; m < n; m++)
                {
                    product[i, j] += left[i, m] * right[m, j];
                }
            }
        }

        return product;
    }

    private static double[,] Transpose(double[,] matrix)
    {
        var n = matrix.GetLength(0);
        var transpose = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                transpose[j, i] = matrix[i, j];
            }
        }

        return transpose;
    }

    private static double[,] Scale(double factor, double[,] matrix)
    {
        var n = matrix.GetLength(0);
        var scaled = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                scaled[i, j] = factor * matrix[i, j];
            }
        }

        return scaled;
    }
}

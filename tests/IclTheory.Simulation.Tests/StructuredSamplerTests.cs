using System.Numerics.Tensors;

namespace IclTheory.Simulation.Tests;

public class StructuredSamplerTests
{
    private const int Contexts = 20_000;

    /// <summary>(1/D) Σ_k ω_kλ_k, the signal part of E y² computed from the spectra directly.</summary>
    private static double SignalPower(StructuredTask task) => task.Lambda.Zip(task.Omega, (l, w) => l * w).Sum() / task.Dim;

    [Theory]
    [InlineData(CovarianceSetting.Fixed, 0.3)]
    [InlineData(CovarianceSetting.RandomRotation, 0.0)]
    public void TargetsHaveSecondMomentSignalPowerPlusNoise(CovarianceSetting setting, double sigma2)
    {
        // E y² = E βᵀΣ_cβ / D + σ² = (1/D) tr ΩΛ + σ² whatever the rotation; per-context means are i.i.d.; 5 SE.
        var task = new StructuredTask(6, 5, 3, sigma2, [1.0, 0.5, 2.0, 0.25, 1.5, 0.1], [0.2, 3.0, 1.0, 4.0, 0.5, 1.0], setting);
        var context = new StructuredContext(task);
        var (labelled, evaluation) = (new RunningStat(), new RunningStat());
        for (var c = 0; c < Contexts; c++)
        {
            context.Sample(8, StreamPurpose.Auxiliary, 0, c);
            labelled.Add(TensorPrimitives.SumOfSquares<double>(context.Y) / task.Context);
            evaluation.Add(TensorPrimitives.SumOfSquares<double>(context.YStar) / task.Eval);
        }

        var expected = SignalPower(task) + sigma2;
        Assert.Equal(expected, task.NullLoss, 1e-15);
        Assertions.WithinSe(expected, labelled.Mean, labelled.Se, 5, "E y²");
        Assertions.WithinSe(expected, evaluation.Mean, evaluation.Se, 5, "E y*²");
    }

    [Fact]
    public void FixedInputsAndTasksHaveCovariancesLambdaAndOmega()
    {
        // FS: E x xᵀ = Λ and E β βᵀ = Ω, diagonal in the standard basis (Section 3.2). 36 + 36 entries within 5 SE.
        var task = StructuredTask.PowerLaw(6, 1.0, 0.5, 0.0, 1.0, 1.0, CovarianceSetting.Fixed);
        var (inputs, tasks) = SecondMoments(task, rotateBack: false);
        AssertMatrix(inputs, task.Lambda, "E x xᵀ");
        AssertMatrix(tasks, task.Omega, "E β βᵀ");
    }

    [Fact]
    public void RotatedInputsAverageToTheIsotropicCovariance()
    {
        // RRS: E_O[O Λ Oᵀ] = (tr Λ / D) I (Eq. 12 with Haar O), and in the context's own frame O_cᵀ x has covariance Λ.
        var task = StructuredTask.PowerLaw(5, 1.0, 0.5, 0.0, 1.0, 1.0, CovarianceSetting.RandomRotation);
        var traceOverDim = task.Lambda.Average();
        var (inputs, _) = SecondMoments(task, rotateBack: false);
        AssertMatrix(inputs, Enumerable.Repeat(traceOverDim, task.Dim).ToArray(), "E x xᵀ");
        var (frame, tasks) = SecondMoments(task, rotateBack: true);
        AssertMatrix(frame, task.Lambda, "E (O_cᵀx)(O_cᵀx)ᵀ");
        AssertMatrix(tasks, task.Omega, "E (O_cᵀβ)(O_cᵀβ)ᵀ");
    }

    [Theory]
    [InlineData(CovarianceSetting.Fixed, 2, 0.0)]
    [InlineData(CovarianceSetting.RandomRotation, 3, 0.4)]
    public void AtZeroGammaTheTestLossIsTheSignalPowerPlusNoise(CovarianceSetting setting, int depth, double sigma2)
    {
        // Γ = 0 predicts f* = 0, so ℒ = E y*² = (1/D) Σ_k ω_kλ_k + σ²; 4 SE; the untied model agrees on the same contexts.
        var task = StructuredTask.PowerLaw(8, 1.5, 1.0, sigma2, 1.0, 1.0, setting);
        var (mean, se) = ReducedGammaEvaluator.TestLoss(task, depth, new double[8, 8], 4000, 3);
        Assertions.WithinSe(SignalPower(task) + sigma2, mean, se, 4, "ℒ(Γ = 0)");
        var untied = ReducedGammaEvaluator.TestLossUntied(task, Enumerable.Range(0, depth).Select(_ => new double[8, 8]).ToArray(), 4000, 3);
        Assert.Equal((mean, se), untied);
    }

    [Theory]
    [InlineData(CovarianceSetting.Fixed)]
    [InlineData(CovarianceSetting.RandomRotation)]
    public void MeanGradientAtZeroIsMinusTwoOverDTimesLambdaOmegaLambda(CovarianceSetting setting)
    {
        // At Γ = 0 every residual is b = Xy/P and the adjoint is g = −(2/K) Σ_k y*_k x*_k, so ∂ℒ/∂Γ = g bᵀ for any L.
        // Given (O_c, β), g and b are independent with means −2Σ_cβ/√D and Σ_cβ/√D, hence
        // E ∂ℒ/∂Γ = −(2/D) E[O_c ΛΩΛ O_cᵀ]: −(2/D) diag(ω_kλ_k²) for FS (so dγ_k/dt|₀ = ω_kλ_k², Eq. 10), and
        // −(2/D)(Σ_k ω_kλ_k²/D) I for RRS (Eq. 13 at γ = 0). All D² entries within 5 SE.
        const int dim = 5, depth = 2, contexts = 40_000;
        var task = StructuredTask.PowerLaw(dim, 2.0, 1.0, 0.2, 1.0, 1.0, setting);
        var context = new StructuredContext(task);
        var workspace = new ReducedGammaWorkspace(task, depth);
        var gamma = new double[dim * dim];
        var gradient = new double[dim * dim];
        var entries = Enumerable.Range(0, dim * dim).Select(_ => new RunningStat()).ToArray();
        for (var n = 0; n < contexts; n++)
        {
            context.Sample(44, StreamPurpose.Auxiliary, 0, n);
            Array.Clear(gradient);
            ReducedGammaModel.LossAndGradient(context, gamma, depth, workspace, gradient, 1.0);
            for (var e = 0; e < gradient.Length; e++)
            {
                entries[e].Add(gradient[e]);
            }
        }

        var drive = Enumerable.Range(0, dim).Select(k => task.Omega[k] * task.Lambda[k] * task.Lambda[k]).ToArray();
        var isotropic = drive.Average();
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var diagonal = setting == CovarianceSetting.Fixed ? drive[i] : isotropic;
                var expected = i == j ? -2.0 / dim * diagonal : 0.0;
                var stat = entries[i * dim + j];
                Assertions.WithinSe(expected, stat.Mean, stat.Se, 5, $"E ∂ℒ/∂Γ[{i},{j}]");
            }
        }
    }

    [Fact]
    public void TheSameCellGivesTheSameContext()
    {
        var task = StructuredTask.PowerLaw(4, 2.0, 1.0, 0.1, 1.2, 0.8, CovarianceSetting.RandomRotation);
        var (a, b) = (new StructuredContext(task), new StructuredContext(task));
        a.Sample(1, StreamPurpose.TrainContext, 3, 4);
        b.Sample(1, StreamPurpose.TrainContext, 3, 4);
        Assert.Equal(a.X, b.X);
        Assert.Equal(a.YStar, b.YStar);
        b.Sample(1, StreamPurpose.TrainContext, 3, 5);
        Assert.NotEqual(a.X, b.X);
        Assert.IsType<StructuredContext>(task.CreateContext());
    }

    [Fact]
    public void PowerLawSpectraFollowTheSourceCapacityConvention()
    {
        // λ_k = k^(−ν) and ω_kλ_k = k^(−νβ−1) (Eq. 88), k = 1..D, unnormalized.
        var task = StructuredTask.PowerLaw(4, 2.0, 1.0, 0.0, 1.5, 0.5, CovarianceSetting.Fixed);
        for (var k = 1; k <= 4; k++)
        {
            Assert.Equal(Math.Pow(k, -1.5), task.Lambda[k - 1], 1e-15);
            Assert.Equal(Math.Pow(k, -1.75), task.Omega[k - 1] * task.Lambda[k - 1], 1e-15);
        }

        Assert.Equal(8, task.Context);
        Assert.Equal(4, task.Eval);
    }

    [Fact]
    public void BadTasksAreRefusedNamingTheParameter()
    {
        double[] ok = [1, 1, 1];
        static string? Name(Action make) => Assert.ThrowsAny<ArgumentException>(make).ParamName;
        Assert.Equal("lambda", Name(() => new StructuredTask(3, 4, 4, 0, [1, -1, 1], ok, CovarianceSetting.Fixed)));
        Assert.Equal("lambda", Name(() => new StructuredTask(3, 4, 4, 0, [1, 1], ok, CovarianceSetting.Fixed)));
        Assert.Equal("omega", Name(() => new StructuredTask(3, 4, 4, 0, ok, [1, double.NaN, 1], CovarianceSetting.Fixed)));
        Assert.Equal("omega", Name(() => new StructuredTask(3, 4, 4, 0, ok, [1, 0, 1], CovarianceSetting.Fixed)));
        Assert.Equal("sigma2", Name(() => new StructuredTask(3, 4, 4, -1, ok, ok, CovarianceSetting.Fixed)));
        Assert.Equal("alpha", Name(() => new StructuredTask(3, 0, 4, 0, ok, ok, CovarianceSetting.Fixed)));
        Assert.Equal("setting", Name(() => new StructuredTask(3, 4, 4, 0, ok, ok, (CovarianceSetting)7)));
        Assert.Equal("nu", Name(() => StructuredTask.PowerLaw(3, 1, 1, 0, 0.0, 1, CovarianceSetting.Fixed)));
        Assert.Equal("beta", Name(() => StructuredTask.PowerLaw(3, 1, 1, 0, 1, -1, CovarianceSetting.Fixed)));
        Assert.Equal("kappa", Name(() => StructuredTask.PowerLaw(3, 1, double.NaN, 0, 1, 1, CovarianceSetting.Fixed)));
        var message = Assert.Throws<ArgumentOutOfRangeException>(() => new StructuredTask(3, 4, 4, 0, [1, -1, 1], ok, CovarianceSetting.Fixed)).Message;
        Assert.Contains("> 0", message, StringComparison.Ordinal);
    }

    /// <summary>Per-context averages of x xᵀ over the labelled rows and of β βᵀ, optionally in the frame O_cᵀ.</summary>
    private static (RunningStat[] Inputs, RunningStat[] Tasks) SecondMoments(StructuredTask task, bool rotateBack)
    {
        var dim = task.Dim;
        var context = new StructuredContext(task);
        var inputs = Enumerable.Range(0, dim * dim).Select(_ => new RunningStat()).ToArray();
        var tasks = Enumerable.Range(0, dim * dim).Select(_ => new RunningStat()).ToArray();
        var sum = new double[dim * dim];
        var u = new double[dim];
        for (var c = 0; c < Contexts; c++)
        {
            context.Sample(21, StreamPurpose.Auxiliary, rotateBack ? 1 : 0, c);
            Array.Clear(sum);
            for (var mu = 0; mu < task.Context; mu++)
            {
                Frame(context, context.X.AsSpan(mu * dim, dim), u, rotateBack);
                AddOuter(sum, u, 1.0 / task.Context);
            }

            Add(inputs, sum);
            Array.Clear(sum);
            Frame(context, context.Beta, u, rotateBack);
            AddOuter(sum, u, 1.0);
            Add(tasks, sum);
        }

        return (inputs, tasks);
    }

    /// <summary>u = O_cᵀ v, or u = v.</summary>
    private static void Frame(StructuredContext context, ReadOnlySpan<double> v, double[] u, bool rotateBack)
    {
        var dim = v.Length;
        for (var j = 0; j < dim; j++)
        {
            u[j] = rotateBack ? 0.0 : v[j];
            for (var i = 0; rotateBack && i < dim; i++)
            {
                u[j] += context.Rotation[i * dim + j] * v[i];
            }
        }
    }

    private static void AddOuter(double[] sum, double[] u, double weight)
    {
        var dim = u.Length;
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                sum[i * dim + j] += weight * u[i] * u[j];
            }
        }
    }

    private static void Add(RunningStat[] stats, double[] values)
    {
        for (var e = 0; e < values.Length; e++)
        {
            stats[e].Add(values[e]);
        }
    }

    private static void AssertMatrix(RunningStat[] stats, IReadOnlyList<double> diagonal, string what)
    {
        var dim = diagonal.Count;
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var stat = stats[i * dim + j];
                Assertions.WithinSe(i == j ? diagonal[i] : 0.0, stat.Mean, stat.Se, 5, $"{what}[{i},{j}]");
            }
        }
    }
}

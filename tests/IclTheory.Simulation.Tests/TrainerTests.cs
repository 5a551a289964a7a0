namespace IclTheory.Simulation.Tests;

public class TrainerTests
{
    private static readonly IsoTask Small = IsoTask.FromRatios(8, 2.0, 1.0, 0.2);

    [Fact]
    public void SameSeedGivesBitIdenticalResultsWhateverTheThreadCount()
    {
        var options = new TrainOptions(Small, 3, 20, 12, 0.2, 9, EvalContexts: 40, LogSteps: [5, 10], AnnealFraction: 0.5, AnnealFloor: 0.01);
        var a = ReducedGammaTrainer.Train(options);
        var b = ReducedGammaTrainer.Train(options with { MaxDegreeOfParallelism = 1 });
        var c = ReducedGammaTrainer.Train(options with { MaxDegreeOfParallelism = 2 });
        AssertIdentical(a, b);
        AssertIdentical(a, c);
        var other = ReducedGammaTrainer.Train(options with { Seed = 10 });
        Assert.NotEqual(a.Gamma[0, 0], other.Gamma[0, 0]);
    }

    [Fact]
    public void TheLoggedFinalLossIsTheEvaluatorsLossOfTheReturnedGamma()
    {
        var options = new TrainOptions(Small, 2, 15, 8, 0.3, 4, EvalContexts: 64);
        var result = ReducedGammaTrainer.Train(options);
        var (mean, se) = ReducedGammaEvaluator.TestLoss(Small, 2, result.Gamma, 64, 4);
        Assert.Equal(mean, result.FinalLoss);
        Assert.Equal(se, result.FinalLossSe);
        Assert.True(result.ContextsPerSecond > 0);
    }

    [Fact]
    public void OneStepAppliesTheEq62UpdateToTheStepsContexts()
    {
        // Γ₁ = Γ₀ − η (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ from Γ₀ = 0, with context n of step 0 drawn from the stream
        // (seed, TrainContext, 0, n); recomputed here serially, so it also pins the stream layout.
        const int batch = 5, depth = 2;
        const double lr = 0.3;
        var result = ReducedGammaTrainer.Train(new TrainOptions(Small, depth, 1, batch, lr, 77, EvalContexts: 4));
        var dim = Small.Dim;
        var gamma = new double[dim * dim];
        var sum = new double[dim * dim];
        var context = new IsoContext(Small);
        var workspace = new ReducedGammaWorkspace(Small, depth);
        for (var n = 0; n < batch; n++)
        {
            context.Sample(77, StreamPurpose.TrainContext, 0, n);
            ReducedGammaModel.LossAndGradient(context, gamma, depth, workspace, sum, 1.0);
        }

        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var expected = -lr * 0.5 * dim / batch * sum[i * dim + j];
                Assert.Equal(expected, result.Gamma[i, j], 1e-13);
            }
        }
    }

    [Fact]
    public void TheCurveHoldsTheRequestedStepsWithFlowTime()
    {
        var options = new TrainOptions(Small, 1, 10, 4, 0.1, 1, EvalContexts: 8, LogSteps: [7, 3, 3], AnnealFraction: 0.2, AnnealFloor: 0.0);
        var result = ReducedGammaTrainer.Train(options);
        Assert.Equal([0, 3, 7, 10], result.Curve.Select(p => p.Step));
        Assert.Equal(0.0, result.Curve[0].Time);
        Assert.Equal(0.7, result.Curve[2].Time, 1e-12);
        Assert.Equal(0.8 + 0.05 + 0.0, result.Curve[3].Time, 1e-12);
        Assert.Equal(0.0, result.Curve[0].GammaBar);
        Assert.Equal(0.0, result.Curve[0].Anisotropy);
        Assert.Equal(1.0, result.Curve[0].DistanceToIdentity);
    }

    [Fact]
    public void ScheduleIsConstantThenLinearToTheFloor()
    {
        var options = new TrainOptions(Small, 1, 10, 1, 1.0, 0, AnnealFraction: 0.4, AnnealFloor: 0.2);
        double[] expected = [1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2];
        for (var s = 0; s < 10; s++)
        {
            Assert.Equal(expected[s], options.LearningRateAt(s), 1e-12);
        }
    }

    [Fact]
    public void ZeroStepsReturnsTheInitialPoint()
    {
        var result = ReducedGammaTrainer.Train(new TrainOptions(Small, 2, 0, 4, 0.1, 3, EvalContexts: 2000));
        Assert.Single(result.Curve);
        Assert.Equal(0.0, result.Gamma[3, 3]);
        Assertions.WithinSe(1 + Small.Sigma2, result.FinalLoss, result.FinalLossSe, 4, "ℒ(Γ = 0)");
    }

    [Fact]
    public void DivergenceIsReportedWithTheStepAndAdvice()
    {
        var options = new TrainOptions(Small, 2, 200, 4, 50.0, 3, EvalContexts: 8);
        var error = Assert.Throws<InvalidOperationException>(() => ReducedGammaTrainer.Train(options));
        Assert.Contains("diverged at step", error.Message, StringComparison.Ordinal);
        Assert.Contains("smaller learning rate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadOptionsAreRefusedNamingTheParameter()
    {
        static string? Name(Func<TrainOptions> make) => Assert.ThrowsAny<ArgumentException>(() => ReducedGammaTrainer.Train(make())).ParamName;
        Assert.Equal("depth", Name(() => new TrainOptions(Small, 0, 1, 1, 0.1, 0)));
        Assert.Equal("steps", Name(() => new TrainOptions(Small, 1, -1, 1, 0.1, 0)));
        Assert.Equal("batch", Name(() => new TrainOptions(Small, 1, 1, 0, 0.1, 0)));
        Assert.Equal("lr", Name(() => new TrainOptions(Small, 1, 1, 1, 0.0, 0)));
        Assert.Equal("lr", Name(() => new TrainOptions(Small, 1, 1, 1, double.PositiveInfinity, 0)));
        Assert.Equal("eval-contexts", Name(() => new TrainOptions(Small, 1, 1, 1, 0.1, 0, EvalContexts: 1)));
        Assert.Equal("anneal", Name(() => new TrainOptions(Small, 1, 1, 1, 0.1, 0, AnnealFraction: 1.5)));
        Assert.Equal("anneal-floor", Name(() => new TrainOptions(Small, 1, 1, 1, 0.1, 0, AnnealFloor: 0.2)));
        Assert.Equal("log-steps", Name(() => new TrainOptions(Small, 1, 5, 1, 0.1, 0, LogSteps: [6])));
        Assert.Equal("threads", Name(() => new TrainOptions(Small, 1, 5, 1, 0.1, 0, MaxDegreeOfParallelism: 0)));
        var message = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainOptions(Small, 1, 1, 1, -2, 0)).Message;
        Assert.Contains("> 0", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShallowSgdReachesTheExactFiniteSizeOptimum()
    {
        // L = 1, D = 32, α = 2, κ = 1, σ² = 0. Over all D×D matrices the expected loss is
        // (1/D)[c_D ‖Γ‖² − 2 tr Γ] + 1 with c_D = 1 + (D + 1)/P, minimized by Γ* = I/c_D at ℒ* = 1 − 1/c_D
        // exactly (→ 1/(1+α) = 1/3 as D → ∞; here 0.3402). SGD leaves an excess c_D·C_T with
        // C = (1/D)‖Γ − Γ*‖², whose mean follows the linear recursion of Eq. 74–75 under the actual schedule;
        // the allowance is twice that prediction (finite-D corrections to the noise variance are O(1/D)).
        // The loss must lie within 3 SE + allowance of ℒ*, and γ̄ within 4 standard deviations of 1/c_D,
        // where Var γ̄ ≈ C_T/D² · D = C_T/D (diagonal entries of Γ − Γ* fluctuate with variance ≈ C_T).
        const int dim = 32, batch = 64, steps = 300;
        var task = IsoTask.FromRatios(dim, 2.0, 1.0, 0.0);
        var options = new TrainOptions(task, 1, steps, batch, 0.1, 2026, EvalContexts: 8192, LogSteps: [], AnnealFraction: 0.5, AnnealFloor: 0.005);
        var result = ReducedGammaTrainer.Train(options);
        var c = 1.0 + (dim + 1.0) / task.Context;
        var relaxation = PredictedRelaxation(options, c);
        var allowance = 2 * c * relaxation;
        var optimum = 1 - 1 / c;
        var deviation = Math.Abs(result.FinalLoss - optimum);
        Assert.True(
            deviation <= 3 * result.FinalLossSe + allowance,
            $"SGD loss {result.FinalLoss:G6} ± {result.FinalLossSe:G3} vs ℒ* = {optimum:G6}; allowance {allowance:G3}.");
        var gammaBar = result.Curve[^1].GammaBar;
        Assert.True(
            Math.Abs(gammaBar - 1 / c) <= 4 * Math.Sqrt(relaxation / dim),
            $"γ̄ = {gammaBar:G6} vs 1/c_D = {1 / c:G6}; predicted C_T = {relaxation:G3}.");
    }

    /// <summary>
    /// Mean of C_s = (1/D)‖Γ_s − Γ*‖² from Eq. 74–75 with η_s from the schedule, τ = B/D, κ = K/D and the
    /// finite-D constant c: C_{s+1} = (1 − η_s c)² C_s + (η_s²/τ)(1 + 1/κ) c² [C_s + (c − 1)/c²], C_0 = 1/c².
    /// </summary>
    private static double PredictedRelaxation(TrainOptions options, double c)
    {
        var tau = (double)options.Batch / options.Task.Dim;
        var kappa = options.Task.Kappa;
        var relaxation = 1 / (c * c);
        for (var s = 0; s < options.Steps; s++)
        {
            var eta = options.LearningRateAt(s);
            var decay = (1 - eta * c) * (1 - eta * c);
            var noise = eta * eta / tau * (1 + 1 / kappa) * c * c;
            relaxation = decay * relaxation + noise * (relaxation + (c - 1) / (c * c));
        }

        return relaxation;
    }

    private static void AssertIdentical(TrainResult expected, TrainResult actual)
    {
        Assert.Equal(expected.Curve.Count, actual.Curve.Count);
        for (var i = 0; i < expected.Curve.Count; i++)
        {
            Assert.Equal(expected.Curve[i], actual.Curve[i]);
        }

        Assert.Equal(expected.FinalLoss, actual.FinalLoss);
        Assert.Equal(expected.Gamma.Cast<double>(), actual.Gamma.Cast<double>());
    }
}

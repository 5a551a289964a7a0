namespace IclTheory.Simulation;

/// <summary>
/// Online SGD for the recurrent reduced-Γ model on contexts of any task (ISO, FS, RRS), from Γ = 0.
/// </summary>
/// <remarks>
/// Convention (Eq. 62): Γ ← Γ + η G with G = −(D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ. For L = 1, f* = x*ᵀΓb with
/// b = Xy/P, and −(D/2)∂ℒ(D)/∂Γ = D Σ̂_*(β/√D − Γb) bᵀ − (σ√D/K) X*ε* (√D b)ᵀ = Σ̂_*(β − Γv) vᵀ + (zero-mean
/// evaluation-noise term), with v = √D b = Σ̂β + σ√D Xε/P: exactly the summand of Eq. 62, whose mean is
/// I − (1 + (1 + σ²)/α)Γ (Eq. 66). Hence flow time is t = Σ_s η_s (η × steps at constant η), and the deep
/// gradient flow of Eq. 7 is dΓ/dt = −(D/2) ∂ℒ/∂Γ.
/// Each step's contexts come from child streams keyed by (seed, step, index), and per-chunk gradients are summed
/// in a fixed order, so results do not depend on the thread count.
/// </remarks>
public static class ReducedGammaTrainer
{
    /// <summary>
    /// A batch loss this many times the loss at Γ = 0 (<see cref="IRegressionTask.NullLoss"/>; 1 + σ² for ISO) counts as
    /// divergence: SGD from Γ = 0 that is converging never exceeds the starting loss by orders of magnitude.
    /// </summary>
    public const double DivergedLossFactor = 1e6;

    /// <summary>Trains Γ by online SGD and logs the test loss on fresh contexts at the requested steps.</summary>
    /// <exception cref="ArgumentException">Invalid options (the parameter is named).</exception>
    /// <exception cref="InvalidOperationException">Training diverged (non-finite Γ or loss).</exception>
    public static TrainResult Train(
        TrainOptions options, IProgress<(int Step, int Steps)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dim = options.Task.Dim;
        var run = new OnlineSgd<TrainPoint>(
            options,
            "recurrent",
            new double[dim * dim],
            1.0,
            ReducedGammaModel.Loss,
            ReducedGammaModel.LossAndGradient,
            (step, time, lr, loss, se, gamma) => LogPoint(step, time, lr, loss, se, gamma, dim),
            progress,
            ct).Run();
        return new TrainResult(run.Curve, run.FinalLoss, run.FinalLossSe, GammaStatistics.ToMatrix(run.Parameters, dim), run.ContextsPerSecond)
        {
            WallSeconds = run.WallSeconds,
        };
    }

    /// <summary>The logged summaries of Γ; the eigenvalues cost a Jacobi solve, so they are formed only here.</summary>
    private static TrainPoint LogPoint(int step, double time, double lr, double loss, double se, ReadOnlySpan<double> gamma, int dim) =>
        new(
            step,
            loss,
            se,
            GammaStatistics.GammaBar(gamma, dim),
            GammaStatistics.Anisotropy(gamma, dim),
            GammaStatistics.DistanceToIdentity(gamma, dim))
        {
            GammaDiagonal = GammaStatistics.Diagonal(gamma, dim),
            SymmetricEigenvalues = GammaStatistics.SymmetricEigenvalues(gamma, dim),
            Time = time,
            LearningRate = lr,
        };
}

namespace IclTheory.Simulation;

/// <summary>
/// Online SGD on the reduced-Γ model (recurrent, <see cref="ReducedGammaTrainer"/>, or untied, <see cref="UntiedGammaTrainer"/>; Eq. 62 convention): each step draws <paramref name="Batch"/> fresh
/// contexts and applies Γ ← Γ − η_s (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ from Γ = 0, so flow time is t = Σ_s η_s.
/// </summary>
/// <param name="Task">The task: <see cref="IsoTask"/> (ISO) or <see cref="StructuredTask"/> (FS, RRS).</param>
/// <param name="Depth">Depth L ≥ 1 ("depth").</param>
/// <param name="Steps">Number of SGD steps ≥ 0 ("steps").</param>
/// <param name="Batch">Contexts per step B ≥ 1 ("batch"; τ = B/D).</param>
/// <param name="LearningRate">Base learning rate η, finite and &gt; 0 ("lr").</param>
/// <param name="Seed">Master seed; training and evaluation use disjoint child streams.</param>
/// <param name="EvalContexts">Fresh contexts per logged evaluation, ≥ 2 ("eval-contexts").</param>
/// <param name="LogSteps">Steps at which to evaluate (each in [0, Steps]); 0 and Steps are always added.
/// Null: 0, Steps and about 20 geometrically spaced steps.</param>
/// <param name="AnnealFraction">Fraction of the steps, in [0, 1], over which η decays linearly to the floor ("anneal").</param>
/// <param name="AnnealFloor">Final learning rate of the anneal, in [0, η] ("anneal-floor").</param>
/// <param name="MaxDegreeOfParallelism">Thread limit (−1: no limit). Results are bit-identical for every value.</param>
public sealed record TrainOptions(
    IRegressionTask Task,
    int Depth,
    int Steps,
    int Batch,
    double LearningRate,
    ulong Seed,
    int EvalContexts = 256,
    int[]? LogSteps = null,
    double AnnealFraction = 0.0,
    double AnnealFloor = 0.0,
    int MaxDegreeOfParallelism = -1)
    : SgdOptions(Depth, Steps, Batch, LearningRate, Seed, EvalContexts, LogSteps, AnnealFraction, AnnealFloor, MaxDegreeOfParallelism)
{
    /// <summary>The task (ISO, FS or RRS).</summary>
    public IRegressionTask Task { get; init => field = value ?? throw new ArgumentNullException("task"); } =
        Task ?? throw new ArgumentNullException("task");

    /// <summary>
    /// Cross-field checks (run by the trainer): the floor must not exceed η, the logged steps must lie in [0, Steps],
    /// and the thread limit must be −1 or positive.
    /// </summary>
    public void Validate() => ValidateSchedule();
}

/// <summary>One logged point of a training curve.</summary>
/// <param name="Step">SGD step s (0 = before training).</param>
/// <param name="Loss">Mean test MSE against noisy labels on fresh contexts (expectation: reducible loss + σ², Eq. 57).</param>
/// <param name="Se">Standard error of <paramref name="Loss"/> across contexts.</param>
/// <param name="GammaBar">γ̄ = tr Γ / D (Eq. 6).</param>
/// <param name="Anisotropy">‖Γ − γ̄I‖_F / ‖Γ‖_F (0 when Γ = 0).</param>
/// <param name="DistanceToIdentity">(1/D)‖Γ − I‖_F², the quantity Result 10 prints (Eq. 64).</param>
public sealed record TrainPoint(int Step, double Loss, double Se, double GammaBar, double Anisotropy, double DistanceToIdentity)
{
    /// <summary>The diagonal Γ_kk: the γ_k of Result 4 (Eq. 10) for FS, whose eigenbasis is the standard basis.</summary>
    public IReadOnlyList<double> GammaDiagonal { get; init; } = [];

    /// <summary>Eigenvalues of the symmetric part (Γ + Γᵀ)/2, descending (Result 6, Eq. 13: all equal to γ for RRS flow).</summary>
    public IReadOnlyList<double> SymmetricEigenvalues { get; init; } = [];

    /// <summary>Flow time t = Σ_{s&lt;Step} η_s (the paper's time under the Eq. 62 convention).</summary>
    public double Time { get; init; }

    /// <summary>Learning rate used at this step (the next update's η_s; the floor at the last step).</summary>
    public double LearningRate { get; init; }

    /// <summary>Value equality, with the diagonal and the eigenvalues compared element by element.</summary>
    public bool Equals(TrainPoint? other) =>
        other is not null
        && (Step, Loss, Se, GammaBar, Anisotropy, DistanceToIdentity, Time, LearningRate)
        == (other.Step, other.Loss, other.Se, other.GammaBar, other.Anisotropy, other.DistanceToIdentity, other.Time, other.LearningRate)
        && GammaDiagonal.SequenceEqual(other.GammaDiagonal)
        && SymmetricEigenvalues.SequenceEqual(other.SymmetricEigenvalues);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Step, Loss, Se, GammaBar, Anisotropy, DistanceToIdentity, Time, LearningRate);
}

/// <summary>The outcome of <see cref="ReducedGammaTrainer.Train"/>.</summary>
/// <param name="Curve">Logged points in step order, including step 0 and the last step.</param>
/// <param name="FinalLoss">Test loss at the last step.</param>
/// <param name="FinalLossSe">Its standard error.</param>
/// <param name="Gamma">The trained Γ (D×D).</param>
/// <param name="ContextsPerSecond">Training throughput: Steps·Batch over the wall time of the SGD steps (evaluation excluded).</param>
public sealed record TrainResult(
    IReadOnlyList<TrainPoint> Curve, double FinalLoss, double FinalLossSe, double[,] Gamma, double ContextsPerSecond)
{
    /// <summary>Total wall time of the run in seconds, evaluation included.</summary>
    public double WallSeconds { get; init; }
}

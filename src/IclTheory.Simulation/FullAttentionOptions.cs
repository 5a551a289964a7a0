namespace IclTheory.Simulation;

/// <summary>How <see cref="FullAttentionTrainer"/> initializes the attention weights.</summary>
public abstract record FullAttentionInit
{
    private FullAttentionInit()
    {
    }

    /// <summary>
    /// The balanced aligned start of Result 9 (Appendix G.2): W_x = √2σ E, W_k = W_q = σ E Eᵀ, W_v = σ e eᵀ,
    /// w_y = w_o = e, so the effective Γ(0) = 2σ⁵ I (Eq. 126).
    /// </summary>
    /// <param name="Sigma">Initial scale σ, finite and &gt; 0 ("sigma").</param>
    public sealed record Aligned(double Sigma) : FullAttentionInit
    {
        /// <summary>Initial scale σ.</summary>
        public double Sigma { get; init => field = Guard.PositiveFinite(value, "sigma"); } = Guard.PositiveFinite(Sigma, "sigma");
    }

    /// <summary>
    /// Seeded small Gaussian weights (<see cref="FullAttentionParameters.Random"/>), with w_y = w_o = e when the read-in
    /// and readout are fixed.
    /// </summary>
    /// <param name="Scale">Typical operator scale of each tensor, finite and &gt; 0 ("scale").</param>
    public sealed record Random(double Scale) : FullAttentionInit
    {
        /// <summary>Typical operator scale of each tensor.</summary>
        public double Scale { get; init => field = Guard.PositiveFinite(value, "scale"); } = Guard.PositiveFinite(Scale, "scale");
    }
}

/// <summary>
/// Online SGD on the deep linear attention model (Eq. 3, mask Eq. 41). Each step draws <paramref name="Batch"/> fresh
/// contexts from <paramref name="Contexts"/> and applies θ_P ← θ_P − η_s (D/2) m_P B⁻¹ Σ_n ∇_P ℒ(D_n) per tensor P
/// (multipliers in <see cref="FullAttentionTrainer.StepMultipliers"/>), so flow time is t = Σ_s η_s.
/// </summary>
/// <param name="Contexts">Factory of context buffers (any data setting); every buffer must have the same D, P, K ("contexts").</param>
/// <param name="Depth">Depth L ≥ 1 ("depth").</param>
/// <param name="Steps">Number of SGD steps ≥ 0 ("steps").</param>
/// <param name="Batch">Contexts per step B ≥ 1 ("batch").</param>
/// <param name="LearningRate">Base learning rate η, finite and &gt; 0 ("lr").</param>
/// <param name="Seed">Master seed; training, evaluation and random initialization use disjoint child streams.</param>
/// <param name="Init">Initialization ("init").</param>
/// <param name="Width">Residual width R ≥ D + 1 ("width"); null: R = D + 1.</param>
/// <param name="FixedReadout">Freeze w_y = w_o = e (Result 9) instead of training them.</param>
/// <param name="Tied">One W_k, W_q, W_v shared by all layers (looped transformer, Eq. 124) or one set per layer.</param>
/// <param name="EvalContexts">Fresh contexts per logged evaluation, ≥ 2 ("eval-contexts").</param>
/// <param name="LogSteps">Steps at which to evaluate (each in [0, Steps]); 0 and Steps are always added.
/// Null: 0, Steps and about 20 geometrically spaced steps.</param>
/// <param name="AnnealFraction">Fraction of the steps, in [0, 1], over which η decays linearly to the floor ("anneal").</param>
/// <param name="AnnealFloor">Final learning rate of the anneal, in [0, η] ("anneal-floor").</param>
/// <param name="MaxDegreeOfParallelism">Thread limit (−1: no limit). Results are bit-identical for every value ("threads").</param>
public sealed record FullAttentionOptions(
    Func<IRegressionContext> Contexts,
    int Depth,
    int Steps,
    int Batch,
    double LearningRate,
    ulong Seed,
    FullAttentionInit Init,
    int? Width = null,
    bool FixedReadout = false,
    bool Tied = true,
    int EvalContexts = 256,
    int[]? LogSteps = null,
    double AnnealFraction = 0.0,
    double AnnealFloor = 0.0,
    int MaxDegreeOfParallelism = -1)
    : SgdOptions(Depth, Steps, Batch, LearningRate, Seed, EvalContexts, LogSteps, AnnealFraction, AnnealFloor, MaxDegreeOfParallelism)
{
    /// <summary>Factory of context buffers.</summary>
    public Func<IRegressionContext> Contexts { get; init => field = value ?? throw new ArgumentNullException("contexts"); } =
        Contexts ?? throw new ArgumentNullException("contexts");

    /// <summary>Initialization.</summary>
    public FullAttentionInit Init { get; init => field = value ?? throw new ArgumentNullException("init"); } =
        Init ?? throw new ArgumentNullException("init");

    /// <summary>
    /// Cross-field checks against the context shape (run by the trainer): R ≥ D + 1, floor ≤ η, logged steps in
    /// [0, Steps], thread limit −1 or positive. Returns the resolved width R.
    /// </summary>
    public int Validate(int dim)
    {
        var width = Width ?? dim + 1;
        if (width < dim + 1)
        {
            throw new ArgumentOutOfRangeException("width", width, $"width must be an integer ≥ D + 1 = {dim + 1}; got {width}.");
        }

        ValidateSchedule();
        return width;
    }
}

/// <summary>One logged point of a full-attention training curve.</summary>
/// <param name="Step">SGD step s (0 = before training).</param>
/// <param name="Time">Flow time t = Σ_{s&lt;Step} η_s.</param>
/// <param name="LearningRate">Learning rate of the next update (the last one's at the final step).</param>
/// <param name="Loss">Mean test MSE against noisy labels on the fixed evaluation contexts.</param>
/// <param name="Se">Standard error of <paramref name="Loss"/> across contexts.</param>
/// <param name="GammaBar">γ̄ = tr Γ_eff / D of the effective Γ (Eq. 46; mean over blocks when untied).</param>
/// <param name="Anisotropy">‖Γ_eff − γ̄I‖_F / ‖Γ_eff‖_F (0 when Γ_eff = 0).</param>
/// <param name="Scales">Projections on the aligned directions (<see cref="FullAttentionParameters.Scales"/>).</param>
/// <param name="Norms">Root-mean-square tensor scales (<see cref="FullAttentionParameters.Norms"/>).</param>
public sealed record FullAttentionPoint(
    int Step, double Time, double LearningRate, double Loss, double Se, double GammaBar, double Anisotropy, FullAttentionScales Scales, FullAttentionScales Norms);

/// <summary>The outcome of <see cref="FullAttentionTrainer.Train"/>.</summary>
/// <param name="Curve">Logged points in step order, including step 0 and the last step.</param>
/// <param name="FinalLoss">Test loss at the last step.</param>
/// <param name="FinalLossSe">Its standard error.</param>
/// <param name="Parameters">The trained weights.</param>
/// <param name="Gamma">The trained effective Γ (D×D, orientation of <see cref="ReducedGammaModel"/>; mean over blocks).</param>
/// <param name="ContextsPerSecond">Training throughput: Steps·Batch over the wall time of the SGD steps (evaluation excluded).</param>
public sealed record FullAttentionResult(
    IReadOnlyList<FullAttentionPoint> Curve,
    double FinalLoss,
    double FinalLossSe,
    FullAttentionParameters Parameters,
    double[,] Gamma,
    double ContextsPerSecond)
{
    /// <summary>Total wall time of the run in seconds, evaluation included.</summary>
    public double WallSeconds { get; init; }
}

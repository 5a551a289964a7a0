namespace IclTheory.Simulation;

/// <summary>
/// What every online-SGD trainer's options share: depth, steps, batch, the learning-rate schedule of
/// <see cref="SgdSchedule"/>, the seed, evaluation and logging, and the thread limit. Each value is checked where it
/// is set and refused naming its option.
/// </summary>
/// <param name="Depth">Depth L ≥ 1 ("depth").</param>
/// <param name="Steps">Number of SGD steps ≥ 0 ("steps").</param>
/// <param name="Batch">Contexts per step B ≥ 1 ("batch").</param>
/// <param name="LearningRate">Base learning rate η, finite and &gt; 0 ("lr").</param>
/// <param name="Seed">Master seed; training, evaluation and random initialization use disjoint child streams.</param>
/// <param name="EvalContexts">Fresh contexts per logged evaluation, ≥ 2 ("eval-contexts").</param>
/// <param name="LogSteps">Steps at which to evaluate (each in [0, Steps]); 0 and Steps are always added.
/// Null: 0, Steps and about 20 geometrically spaced steps.</param>
/// <param name="AnnealFraction">Fraction of the steps, in [0, 1], over which η decays linearly to the floor ("anneal").</param>
/// <param name="AnnealFloor">Final learning rate of the anneal, in [0, η] ("anneal-floor").</param>
/// <param name="MaxDegreeOfParallelism">Thread limit (−1: no limit). Results are bit-identical for every value ("threads").</param>
public abstract record SgdOptions(
    int Depth,
    int Steps,
    int Batch,
    double LearningRate,
    ulong Seed,
    int EvalContexts,
    int[]? LogSteps,
    double AnnealFraction,
    double AnnealFloor,
    int MaxDegreeOfParallelism)
{
    /// <summary>Depth L.</summary>
    public int Depth { get; init => field = Guard.AtLeast(value, 1, "depth"); } = Guard.AtLeast(Depth, 1, "depth");

    /// <summary>Number of SGD steps.</summary>
    public int Steps { get; init => field = Guard.AtLeast(value, 0, "steps"); } = Guard.AtLeast(Steps, 0, "steps");

    /// <summary>Contexts per step B.</summary>
    public int Batch { get; init => field = Guard.AtLeast(value, 1, "batch"); } = Guard.AtLeast(Batch, 1, "batch");

    /// <summary>Base learning rate η.</summary>
    public double LearningRate { get; init => field = Guard.PositiveFinite(value, "lr"); } = Guard.PositiveFinite(LearningRate, "lr");

    /// <summary>Fresh contexts per logged evaluation.</summary>
    public int EvalContexts { get; init => field = Guard.AtLeast(value, 2, "eval-contexts"); } =
        Guard.AtLeast(EvalContexts, 2, "eval-contexts");

    /// <summary>Fraction of the steps spent in the linear decay.</summary>
    public double AnnealFraction { get; init => field = Guard.UnitInterval(value, "anneal"); } =
        Guard.UnitInterval(AnnealFraction, "anneal");

    /// <summary>Final learning rate of the decay.</summary>
    public double AnnealFloor { get; init => field = Guard.NonNegativeFinite(value, "anneal-floor"); } =
        Guard.NonNegativeFinite(AnnealFloor, "anneal-floor");

    /// <summary>The learning rate η_s of step s: η, then linear decay over the last ⌈fraction·Steps⌉ steps to the floor (reached at the last step).</summary>
    public double LearningRateAt(int step) => SgdSchedule.LearningRateAt(LearningRate, AnnealFloor, AnnealFraction, Steps, step);

    /// <summary>Flow time t = Σ_{s&lt;step} η_s reached after <paramref name="step"/> steps.</summary>
    public double FlowTimeAt(int step)
    {
        var time = 0.0;
        for (var s = 0; s < step; s++)
        {
            time += LearningRateAt(s);
        }

        return time;
    }

    /// <summary>The sorted, distinct steps at which the trainer evaluates (always including 0 and Steps).</summary>
    public int[] ResolvedLogSteps() => SgdSchedule.ResolvedLogSteps(Steps, LogSteps);

    /// <summary>
    /// Cross-field checks of the schedule (run by the trainer): the floor must not exceed η, the logged steps must lie
    /// in [0, Steps], and the thread limit must be −1 or positive.
    /// </summary>
    protected void ValidateSchedule() => SgdSchedule.Validate(LearningRate, AnnealFloor, MaxDegreeOfParallelism, LogSteps, Steps);
}

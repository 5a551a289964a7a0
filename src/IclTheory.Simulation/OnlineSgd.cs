using System.Diagnostics;

namespace IclTheory.Simulation;

/// <summary>Adds <c>scale</c>·∂ℒ(D)/∂θ into <c>gradient</c> and returns ℒ(D) for parameters θ in one span.</summary>
internal delegate double ContextLossAndGradient(
    IRegressionContext context, ReadOnlySpan<double> parameters, int depth, ReducedGammaWorkspace workspace, Span<double> gradient, double scale);

/// <summary>Builds one logged point from the parameters and their test loss at a log step.</summary>
internal delegate TPoint CurvePoint<out TPoint>(int step, double time, double learningRate, double loss, double se, ReadOnlySpan<double> parameters);

/// <summary>What an <see cref="OnlineSgd{TPoint}"/> run produces.</summary>
internal sealed record SgdOutcome<TPoint>(
    List<TPoint> Curve, double[] Parameters, double FinalLoss, double FinalLossSe, double ContextsPerSecond, double WallSeconds);

/// <summary>
/// One online-SGD run shared by the recurrent and untied trainers: the <see cref="SgdLoop"/> update
/// θ ← θ − m η_s (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂θ (Eq. 62 convention, rate multiplier m = 1 recurrent, m = L untied) with
/// flow time t = Σ_s η_s, on the reduced-Γ workspaces, logging the test loss on fixed evaluation contexts.
/// </summary>
internal sealed class OnlineSgd<TPoint>
{
    private readonly TrainOptions options;
    private readonly string model;
    private readonly CurvePoint<TPoint> curvePoint;
    private readonly IProgress<(int Step, int Steps)>? progress;
    private readonly CancellationToken ct;
    private readonly int dim;
    private readonly double[] parameters;
    private readonly ReducedGammaWorkspace[] workspaces;
    private readonly LossEstimator evaluator;
    private readonly SgdLoop loop;

    public OnlineSgd(
        TrainOptions options,
        string model,
        double[] initial,
        double rateMultiplier,
        ContextLoss loss,
        ContextLossAndGradient lossAndGradient,
        CurvePoint<TPoint> curvePoint,
        IProgress<(int Step, int Steps)>? progress,
        CancellationToken ct)
    {
        this.options = options;
        this.model = model;
        this.curvePoint = curvePoint;
        this.progress = progress;
        this.ct = ct;
        dim = options.Task.Dim;
        parameters = initial;
        workspaces = new ReducedGammaWorkspace[ChunkedParallel.For(options.Batch).Chunks];
        for (var c = 0; c < workspaces.Length; c++)
        {
            workspaces[c] = new ReducedGammaWorkspace(options.Task, options.Depth);
        }

        loop = new SgdLoop(
            options,
            dim,
            rateMultiplier,
            initial,
            null,
            _ => options.Task.CreateContext(),
            (chunk, context, gradient) => lossAndGradient(context, parameters, options.Depth, workspaces[chunk], gradient, 1.0),
            ct)
        {
            DivergenceLimit = () => ReducedGammaTrainer.DivergedLossFactor * options.Task.NullLoss,
        };
        evaluator = new LossEstimator(options.Task, options.Depth, options.EvalContexts, options.Seed, options.MaxDegreeOfParallelism, loss);
    }

    public SgdOutcome<TPoint> Run()
    {
        var wall = Stopwatch.StartNew();
        var curve = new List<TPoint>();
        var final = (Loss: double.NaN, Se: double.NaN);

        void Log(int step, double time, double lr, double loss, double se)
        {
            final = (loss, se);
            curve.Add(curvePoint(step, time, lr, loss, se, parameters));
        }

        var contextsPerSecond = loop.Run(() => evaluator.Estimate(parameters, ct), Log, Diverged, progress);
        return new SgdOutcome<TPoint>(curve, parameters, final.Loss, final.Se, contextsPerSecond, wall.Elapsed.TotalSeconds);
    }

    private InvalidOperationException Diverged(int step, double lr) =>
        new($"Training diverged at step {step} of {options.Steps} ({model} model, learning rate {lr:G4}, D={dim}, L={options.Depth}, B={options.Batch}): " +
            $"the parameters or the batch loss became non-finite or exceeded 10⁶ times the loss at Γ = 0 ({options.Task.NullLoss:G4}). " +
            $"Use a smaller learning rate (for example lr ≤ {lr / 4:G3}).");
}

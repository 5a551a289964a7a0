using System.Diagnostics;
using System.Numerics.Tensors;

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
/// One online-SGD run shared by the recurrent and untied trainers: θ ← θ − m η_s (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂θ
/// (Eq. 62 convention, rate multiplier m = 1 recurrent, m = L untied), with flow time t = Σ_s η_s.
/// Each step's contexts come from child streams keyed by (seed, step, index), and per-chunk gradients are summed
/// in a fixed order, so results do not depend on the thread count.
/// </summary>
internal sealed class OnlineSgd<TPoint>
{
    private readonly TrainOptions options;
    private readonly string model;
    private readonly double rateMultiplier;
    private readonly ContextLossAndGradient lossAndGradient;
    private readonly CurvePoint<TPoint> curvePoint;
    private readonly IProgress<(int Step, int Steps)>? progress;
    private readonly CancellationToken ct;
    private readonly int dim;
    private readonly double[] parameters;
    private readonly double[] batchGradient;
    private readonly ChunkedParallel partition;
    private readonly IRegressionContext[] contexts;
    private readonly ReducedGammaWorkspace[] workspaces;
    private readonly double[][] chunkGradients;
    private readonly double[] batchLosses;
    private readonly LossEstimator evaluator;
    private readonly ParallelOptions parallelOptions;
    private readonly Action<int> chunkBody;
    private int currentStep;

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
        this.rateMultiplier = rateMultiplier;
        this.lossAndGradient = lossAndGradient;
        this.curvePoint = curvePoint;
        this.progress = progress;
        this.ct = ct;
        dim = options.Task.Dim;
        parameters = initial;
        batchGradient = new double[initial.Length];
        partition = ChunkedParallel.For(options.Batch);
        contexts = new IRegressionContext[partition.Chunks];
        workspaces = new ReducedGammaWorkspace[partition.Chunks];
        chunkGradients = new double[partition.Chunks][];
        for (var c = 0; c < partition.Chunks; c++)
        {
            contexts[c] = options.Task.CreateContext();
            workspaces[c] = new ReducedGammaWorkspace(options.Task, options.Depth);
            chunkGradients[c] = new double[initial.Length];
        }

        batchLosses = new double[options.Batch];
        evaluator = new LossEstimator(options.Task, options.Depth, options.EvalContexts, options.Seed, options.MaxDegreeOfParallelism, loss);
        parallelOptions = ChunkedParallel.Options(options.MaxDegreeOfParallelism, ct);
        chunkBody = AccumulateChunk;
    }

    public SgdOutcome<TPoint> Run()
    {
        var wall = Stopwatch.StartNew();
        var training = new Stopwatch();
        var logSteps = options.ResolvedLogSteps();
        var curve = new List<TPoint>(logSteps.Length);
        var nextLog = 0;
        var reportEvery = Math.Max(1, options.Steps / 200);
        var time = 0.0;
        var final = (Loss: double.NaN, Se: double.NaN);
        for (var step = 0; ; step++)
        {
            ct.ThrowIfCancellationRequested();
            if (nextLog < logSteps.Length && logSteps[nextLog] == step)
            {
                final = Evaluate(step);
                var lr = step < options.Steps ? options.LearningRateAt(step) : options.LearningRateAt(step - 1);
                curve.Add(curvePoint(step, time, lr, final.Loss, final.Se, parameters));
                nextLog++;
            }

            if (step == options.Steps)
            {
                break;
            }

            var rate = options.LearningRateAt(step);
            training.Start();
            Step(step, rate);
            training.Stop();
            time += rate;
            if ((step + 1) % reportEvery == 0 || step + 1 == options.Steps)
            {
                progress?.Report((step + 1, options.Steps));
            }
        }

        var contextsPerSecond = options.Steps == 0 ? 0.0 : (double)options.Steps * options.Batch / training.Elapsed.TotalSeconds;
        return new SgdOutcome<TPoint>(curve, parameters, final.Loss, final.Se, contextsPerSecond, wall.Elapsed.TotalSeconds);
    }

    /// <summary>One SGD step: θ ← θ − m η (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂θ (Eq. 62 convention).</summary>
    private void Step(int step, double lr)
    {
        currentStep = step;
        Parallel.For(0, partition.Chunks, parallelOptions, chunkBody);
        var sum = batchGradient.AsSpan();
        chunkGradients[0].CopyTo(sum);
        for (var c = 1; c < partition.Chunks; c++)
        {
            TensorPrimitives.Add(sum, chunkGradients[c], sum);
        }

        TensorPrimitives.MultiplyAdd(sum, -(lr * rateMultiplier) * 0.5 * dim / options.Batch, parameters, parameters);
        var batchLoss = LossEstimator.MeanAndStandardError(batchLosses).Mean;
        if (!double.IsFinite(batchLoss) || batchLoss > ReducedGammaTrainer.DivergedLossFactor * options.Task.NullLoss
            || !TensorPrimitives.IsFiniteAll<double>(parameters))
        {
            throw Diverged(step + 1, lr);
        }
    }

    private void AccumulateChunk(int chunk)
    {
        var gradient = chunkGradients[chunk].AsSpan();
        gradient.Clear();
        var context = contexts[chunk];
        var workspace = workspaces[chunk];
        for (var n = partition.Start(chunk); n < partition.End(chunk); n++)
        {
            context.Sample(options.Seed, StreamPurpose.TrainContext, currentStep, n);
            batchLosses[n] = lossAndGradient(context, parameters, options.Depth, workspace, gradient, 1.0);
        }
    }

    private (double Loss, double Se) Evaluate(int step)
    {
        var (loss, se) = evaluator.Estimate(parameters, ct);
        if (!double.IsFinite(loss))
        {
            throw Diverged(step, options.LearningRateAt(Math.Max(step - 1, 0)));
        }

        return (loss, se);
    }

    private InvalidOperationException Diverged(int step, double lr) =>
        new($"Training diverged at step {step} of {options.Steps} ({model} model, learning rate {lr:G4}, D={dim}, L={options.Depth}, B={options.Batch}): " +
            $"the parameters or the batch loss became non-finite or exceeded 10⁶ times the loss at Γ = 0 ({options.Task.NullLoss:G4}). " +
            $"Use a smaller learning rate (for example lr ≤ {lr / 4:G3}).");
}

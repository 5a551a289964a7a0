using System.Diagnostics;
using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>Adds ∂ℒ(D)/∂θ into <c>gradient</c> with chunk <c>chunk</c>'s workspace and returns ℒ(D).</summary>
internal delegate double ChunkLossAndGradient(int chunk, IRegressionContext context, Span<double> gradient);

/// <summary>
/// The online-SGD loop shared by every trainer: θ ← θ − m_rate η_s (D/2) B⁻¹ m ⊙ Σ_n ∂ℒ(D_n)/∂θ (Eq. 62
/// convention) with per-entry multipliers m (all 1 when absent) and flow time t = Σ_s η_s. Each step's contexts
/// come from child streams (seed, TrainContext, step, index); per-chunk gradients are summed in chunk order, so
/// results do not depend on the thread count. A step whose batch loss is non-finite or beyond
/// <see cref="DivergenceLimit"/>, or whose parameters are not all finite, ends the run with the trainer's error.
/// </summary>
internal sealed class SgdLoop
{
    private readonly SgdOptions options;
    private readonly int dim;
    private readonly double rateMultiplier;
    private readonly double[] parameters;
    private readonly double[]? multipliers;
    private readonly ChunkLossAndGradient lossAndGradient;
    private readonly ChunkedParallel partition;
    private readonly IRegressionContext[] contexts;
    private readonly double[][] chunkGradients;
    private readonly double[] batchGradient;
    private readonly double[] batchLosses;
    private readonly ParallelOptions parallelOptions;
    private readonly Action<int> chunkBody;
    private int currentStep;

    /// <param name="options">Steps, batch, seed, schedule, logging and thread limit.</param>
    /// <param name="dim">Input dimension D (the D/2 of the update).</param>
    /// <param name="rateMultiplier">m_rate: 1 for the recurrent models, L for the untied one (Section 5.1).</param>
    /// <param name="parameters">θ, updated in place.</param>
    /// <param name="multipliers">Per-entry m laid out like θ, or null for all 1.</param>
    /// <param name="contextFor">The context buffer of each chunk of <see cref="ChunkedParallel.For"/>(batch).</param>
    /// <param name="lossAndGradient">Per-context loss and gradient.</param>
    /// <param name="ct">Cancellation.</param>
    public SgdLoop(
        SgdOptions options,
        int dim,
        double rateMultiplier,
        double[] parameters,
        double[]? multipliers,
        Func<int, IRegressionContext> contextFor,
        ChunkLossAndGradient lossAndGradient,
        CancellationToken ct)
    {
        this.options = options;
        this.dim = dim;
        this.rateMultiplier = rateMultiplier;
        this.parameters = parameters;
        this.multipliers = multipliers;
        this.lossAndGradient = lossAndGradient;
        partition = ChunkedParallel.For(options.Batch);
        contexts = new IRegressionContext[partition.Chunks];
        chunkGradients = new double[partition.Chunks][];
        for (var c = 0; c < partition.Chunks; c++)
        {
            contexts[c] = contextFor(c);
            chunkGradients[c] = new double[parameters.Length];
        }

        batchGradient = new double[parameters.Length];
        batchLosses = new double[options.Batch];
        parallelOptions = ChunkedParallel.Options(options.MaxDegreeOfParallelism, ct);
        chunkBody = AccumulateChunk;
    }

    /// <summary>The batch loss beyond which a step counts as divergence (read at every step).</summary>
    public Func<double> DivergenceLimit { get; init; } = () => double.PositiveInfinity;

    /// <summary>
    /// Runs the steps. At every log step (before that step, and after the last step when it is one) the test loss
    /// from <paramref name="evaluate"/> is checked — a non-finite one ends the run with the trainer's error — and passed
    /// to <paramref name="log"/>(step, time, η, loss, SE), η the rate of that step (of the previous one after the last).
    /// </summary>
    /// <returns>Training contexts per second (0 without steps).</returns>
    public double Run(
        Func<(double Loss, double Se)> evaluate,
        Action<int, double, double, double, double> log,
        Func<int, double, Exception> diverged,
        IProgress<(int Step, int Steps)>? progress)
    {
        var training = new Stopwatch();
        var logSteps = options.ResolvedLogSteps();
        var steps = options.Steps;
        var nextLog = 0;
        var reportEvery = Math.Max(1, steps / 200);
        var time = 0.0;
        for (var step = 0; ; step++)
        {
            parallelOptions.CancellationToken.ThrowIfCancellationRequested();
            if (nextLog < logSteps.Length && logSteps[nextLog] == step)
            {
                var (loss, se) = evaluate();
                if (!double.IsFinite(loss))
                {
                    throw diverged(step, options.LearningRateAt(Math.Max(step - 1, 0)));
                }

                log(step, time, options.LearningRateAt(step < steps ? step : step - 1), loss, se);
                nextLog++;
            }

            if (step == steps)
            {
                break;
            }

            var lr = options.LearningRateAt(step);
            training.Start();
            Step(step, lr, diverged);
            training.Stop();
            time += lr;
            if ((step + 1) % reportEvery == 0 || step + 1 == steps)
            {
                progress?.Report((step + 1, steps));
            }
        }

        return steps == 0 ? 0.0 : (double)steps * options.Batch / training.Elapsed.TotalSeconds;
    }

    /// <summary>One SGD step (class summary).</summary>
    private void Step(int step, double lr, Func<int, double, Exception> diverged)
    {
        currentStep = step;
        Parallel.For(0, partition.Chunks, parallelOptions, chunkBody);
        var sum = batchGradient.AsSpan();
        chunkGradients[0].CopyTo(sum);
        for (var c = 1; c < partition.Chunks; c++)
        {
            TensorPrimitives.Add(sum, chunkGradients[c], sum);
        }

        if (multipliers is not null)
        {
            TensorPrimitives.Multiply(sum, multipliers, sum);
        }

        TensorPrimitives.MultiplyAdd(sum, -(lr * rateMultiplier) * 0.5 * dim / options.Batch, parameters, parameters);
        var batchLoss = LossEstimator.MeanAndStandardError(batchLosses).Mean;
        if (!double.IsFinite(batchLoss) || batchLoss > DivergenceLimit() || !TensorPrimitives.IsFiniteAll<double>(parameters))
        {
            throw diverged(step + 1, lr);
        }
    }

    private void AccumulateChunk(int chunk)
    {
        var gradient = chunkGradients[chunk].AsSpan();
        gradient.Clear();
        var context = contexts[chunk];
        for (var n = partition.Start(chunk); n < partition.End(chunk); n++)
        {
            context.Sample(options.Seed, StreamPurpose.TrainContext, currentStep, n);
            batchLosses[n] = lossAndGradient(chunk, context, gradient);
        }
    }
}

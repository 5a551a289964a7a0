using System.Diagnostics;
using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// Online SGD for the recurrent reduced-Γ model on ISO contexts, from Γ = 0.
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
    /// <summary>Trains Γ by online SGD and logs the test loss on fresh contexts at the requested steps.</summary>
    /// <exception cref="ArgumentException">Invalid options (the parameter is named).</exception>
    /// <exception cref="InvalidOperationException">Training diverged (non-finite Γ or loss).</exception>
    public static TrainResult Train(
        TrainOptions options, IProgress<(int Step, int Steps)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new SgdRun(options, progress, ct).Run();
    }

    /// <summary>
    /// A batch loss this many times the loss at Γ = 0 (which is 1 + σ²) counts as divergence: SGD from Γ = 0
    /// that is converging never exceeds the starting loss by orders of magnitude.
    /// </summary>
    public const double DivergedLossFactor = 1e6;

    /// <summary>State of one training run: Γ, per-chunk buffers and the logged curve.</summary>
    private sealed class SgdRun
    {
        private readonly TrainOptions options;
        private readonly IProgress<(int Step, int Steps)>? progress;
        private readonly CancellationToken ct;
        private readonly int dim;
        private readonly double[] gamma;
        private readonly double[] batchGradient;
        private readonly ChunkedParallel partition;
        private readonly IsoContext[] contexts;
        private readonly ReducedGammaWorkspace[] workspaces;
        private readonly double[][] chunkGradients;
        private readonly double[] batchLosses;
        private readonly LossEstimator evaluator;
        private readonly ParallelOptions parallelOptions;
        private readonly Action<int> chunkBody;
        private int currentStep;

        public SgdRun(TrainOptions options, IProgress<(int Step, int Steps)>? progress, CancellationToken ct)
        {
            this.options = options;
            this.progress = progress;
            this.ct = ct;
            dim = options.Task.Dim;
            gamma = new double[dim * dim];
            batchGradient = new double[dim * dim];
            partition = ChunkedParallel.For(options.Batch);
            contexts = new IsoContext[partition.Chunks];
            workspaces = new ReducedGammaWorkspace[partition.Chunks];
            chunkGradients = new double[partition.Chunks][];
            for (var c = 0; c < partition.Chunks; c++)
            {
                contexts[c] = new IsoContext(options.Task);
                workspaces[c] = new ReducedGammaWorkspace(options.Task, options.Depth);
                chunkGradients[c] = new double[dim * dim];
            }

            batchLosses = new double[options.Batch];
            evaluator = new LossEstimator(options.Task, options.Depth, options.EvalContexts, options.Seed, options.MaxDegreeOfParallelism);
            parallelOptions = ChunkedParallel.Options(options.MaxDegreeOfParallelism, ct);
            chunkBody = AccumulateChunk;
        }

        public TrainResult Run()
        {
            var wall = Stopwatch.StartNew();
            var training = new Stopwatch();
            var logSteps = options.ResolvedLogSteps();
            var curve = new List<TrainPoint>(logSteps.Length);
            var nextLog = 0;
            var reportEvery = Math.Max(1, options.Steps / 200);
            var time = 0.0;
            for (var step = 0; ; step++)
            {
                ct.ThrowIfCancellationRequested();
                if (nextLog < logSteps.Length && logSteps[nextLog] == step)
                {
                    curve.Add(Evaluate(step, time));
                    nextLog++;
                }

                if (step == options.Steps)
                {
                    break;
                }

                var lr = options.LearningRateAt(step);
                training.Start();
                Step(step, lr);
                training.Stop();
                time += lr;
                if ((step + 1) % reportEvery == 0 || step + 1 == options.Steps)
                {
                    progress?.Report((step + 1, options.Steps));
                }
            }

            var last = curve[^1];
            var contextsPerSecond = options.Steps == 0 ? 0.0 : (double)options.Steps * options.Batch / training.Elapsed.TotalSeconds;
            return new TrainResult(curve, last.Loss, last.Se, GammaStatistics.ToMatrix(gamma, dim), contextsPerSecond)
            {
                WallSeconds = wall.Elapsed.TotalSeconds,
            };
        }

        /// <summary>One SGD step: Γ ← Γ − η (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ (Eq. 62 convention).</summary>
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

            TensorPrimitives.MultiplyAdd(sum, -lr * 0.5 * dim / options.Batch, gamma, gamma);
            var batchLoss = LossEstimator.MeanAndStandardError(batchLosses).Mean;
            if (!double.IsFinite(batchLoss) || batchLoss > DivergedLossFactor * (1.0 + options.Task.Sigma2)
                || !TensorPrimitives.IsFiniteAll<double>(gamma))
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
                batchLosses[n] = ReducedGammaModel.LossAndGradient(context, gamma, options.Depth, workspace, gradient, 1.0);
            }
        }

        private TrainPoint Evaluate(int step, double time)
        {
            var (loss, se) = evaluator.Estimate(gamma, ct);
            if (!double.IsFinite(loss))
            {
                throw Diverged(step, options.LearningRateAt(Math.Max(step - 1, 0)));
            }

            return new TrainPoint(
                step,
                loss,
                se,
                GammaStatistics.GammaBar(gamma, dim),
                GammaStatistics.Anisotropy(gamma, dim),
                GammaStatistics.DistanceToIdentity(gamma, dim))
            {
                Time = time,
                LearningRate = step < options.Steps ? options.LearningRateAt(step) : options.LearningRateAt(step - 1),
            };
        }

        private InvalidOperationException Diverged(int step, double lr) =>
            new($"Training diverged at step {step} of {options.Steps} (learning rate {lr:G4}, D={dim}, L={options.Depth}, B={options.Batch}): " +
                $"Γ or the batch loss became non-finite or exceeded 10⁶·(1 + σ²). Use a smaller learning rate (for example lr ≤ {lr / 4:G3}).");
    }
}

namespace IclTheory.Simulation;

/// <summary>
/// Test loss of a fixed Γ (or fixed layers {Γ^ℓ}) on fresh contexts of any task (ISO, FS, RRS): the mean over contexts of ℒ(D) = K⁻¹ Σ_k (f*_k − y*_k)²
/// against the noisy labels y* (§2.1), whose expectation is the reducible loss plus σ² (Eq. 57),
/// with its standard error across contexts.
/// </summary>
public static class ReducedGammaEvaluator
{
    /// <summary>Test MSE of Γ (D×D) at depth L on <paramref name="contexts"/> fresh contexts: (mean, standard error).</summary>
    /// <param name="task">The task (ISO, FS or RRS).</param>
    /// <param name="depth">Depth L ≥ 1.</param>
    /// <param name="gamma">Γ, D×D with finite entries.</param>
    /// <param name="contexts">Number of evaluation contexts, ≥ 2.</param>
    /// <param name="seed">Master seed; context i uses the stream (seed, EvalContext, 0, i).</param>
    /// <param name="maxDegreeOfParallelism">Thread limit (−1: no limit); results do not depend on it.</param>
    public static (double Mean, double Se) TestLoss(
        IRegressionTask task, int depth, double[,] gamma, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(task);
        var flat = GammaStatistics.FromMatrix(gamma, task.Dim);
        return new LossEstimator(task, depth, contexts, seed, maxDegreeOfParallelism).Estimate(flat, CancellationToken.None);
    }

    /// <summary>Test MSE of Γ = γI at depth L on <paramref name="contexts"/> fresh contexts: (mean, standard error).</summary>
    public static (double Mean, double Se) TestLossIsotropic(
        IRegressionTask task, int depth, double gamma, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(task);
        Guard.Finite(gamma, "gamma");
        var flat = GammaStatistics.ScaledIdentity(gamma, task.Dim);
        return new LossEstimator(task, depth, contexts, seed, maxDegreeOfParallelism).Estimate(flat, CancellationToken.None);
    }

    /// <summary>
    /// Test MSE of the untied model with layers Γ^0..Γ^{L−1} (each D×D, L = <paramref name="gammas"/>.Count ≥ 1) on
    /// <paramref name="contexts"/> fresh contexts: (mean, standard error), on the same contexts as <see cref="TestLoss"/>.
    /// </summary>
    public static (double Mean, double Se) TestLossUntied(
        IRegressionTask task, IReadOnlyList<double[,]> gammas, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(gammas);
        var depth = Guard.AtLeast(gammas.Count, 1, "depth");
        var dim = task.Dim;
        var stacked = new double[depth * dim * dim];
        for (var layer = 0; layer < depth; layer++)
        {
            GammaStatistics.FromMatrix(gammas[layer], dim).CopyTo(stacked, layer * dim * dim);
        }

        return new LossEstimator(task, depth, contexts, seed, maxDegreeOfParallelism, UntiedGammaModel.Loss)
            .Estimate(stacked, CancellationToken.None);
    }
}

/// <summary>The per-context loss of a model with parameters in one span (Γ, or the stacked {Γ^ℓ}).</summary>
internal delegate double ContextLoss(IRegressionContext context, ReadOnlySpan<double> parameters, int depth, ReducedGammaWorkspace workspace);

/// <summary>
/// Reusable evaluator over a fixed set of evaluation contexts (the same contexts at every call, so curves
/// logged during training are compared on common random numbers).
/// </summary>
internal sealed class LossEstimator
{
    private readonly int depth;
    private readonly ulong seed;
    private readonly ChunkedParallel partition;
    private readonly IRegressionContext[] contextBuffers;
    private readonly ReducedGammaWorkspace[] workspaces;
    private readonly double[] losses;
    private readonly int maxDegreeOfParallelism;
    private readonly ContextLoss loss;
    private double[] gamma = [];

    public LossEstimator(IRegressionTask task, int depth, int contexts, ulong seed, int maxDegreeOfParallelism, ContextLoss? loss = null)
    {
        this.loss = loss ?? ReducedGammaModel.Loss;
        this.depth = Guard.AtLeast(depth, 1, "depth");
        this.seed = seed;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        partition = ChunkedParallel.For(Guard.AtLeast(contexts, 2, "contexts"));
        contextBuffers = new IRegressionContext[partition.Chunks];
        workspaces = new ReducedGammaWorkspace[partition.Chunks];
        for (var c = 0; c < partition.Chunks; c++)
        {
            contextBuffers[c] = task.CreateContext();
            workspaces[c] = new ReducedGammaWorkspace(task, depth);
        }

        losses = new double[contexts];
    }

    /// <summary>(mean, standard error) of the per-context test loss of <paramref name="gammaRowMajor"/>.</summary>
    public (double Mean, double Se) Estimate(double[] gammaRowMajor, CancellationToken ct)
    {
        gamma = gammaRowMajor;
        Parallel.For(0, partition.Chunks, ChunkedParallel.Options(maxDegreeOfParallelism, ct), EvaluateChunk);
        return MeanAndStandardError(losses);
    }

    /// <summary>Sample mean and its standard error s/√n, summed in index order.</summary>
    public static (double Mean, double Se) MeanAndStandardError(ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += v;
        }

        var mean = sum / values.Length;
        var squares = 0.0;
        foreach (var v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        return (mean, Math.Sqrt(squares / (values.Length - 1) / values.Length));
    }

    private void EvaluateChunk(int chunk)
    {
        var context = contextBuffers[chunk];
        var workspace = workspaces[chunk];
        for (var i = partition.Start(chunk); i < partition.End(chunk); i++)
        {
            context.Sample(seed, StreamPurpose.EvalContext, 0, i);
            losses[i] = loss(context, gamma, depth, workspace);
        }
    }
}

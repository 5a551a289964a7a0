namespace IclTheory.Simulation;

/// <summary>
/// Test loss of a fixed Γ on fresh ISO contexts: the mean over contexts of ℒ(D) = K⁻¹ Σ_k (f*_k − y*_k)²
/// against the noisy labels y* (§2.1), whose expectation is the reducible loss plus σ² (Eq. 57),
/// with its standard error across contexts.
/// </summary>
public static class ReducedGammaEvaluator
{
    /// <summary>Test MSE of Γ (D×D) at depth L on <paramref name="contexts"/> fresh contexts: (mean, standard error).</summary>
    /// <param name="task">The ISO task.</param>
    /// <param name="depth">Depth L ≥ 1.</param>
    /// <param name="gamma">Γ, D×D with finite entries.</param>
    /// <param name="contexts">Number of evaluation contexts, ≥ 2.</param>
    /// <param name="seed">Master seed; context i uses the stream (seed, EvalContext, 0, i).</param>
    /// <param name="maxDegreeOfParallelism">Thread limit (−1: no limit); results do not depend on it.</param>
    public static (double Mean, double Se) TestLoss(
        IsoTask task, int depth, double[,] gamma, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(task);
        var flat = GammaStatistics.FromMatrix(gamma, task.Dim);
        return new LossEstimator(task, depth, contexts, seed, maxDegreeOfParallelism).Estimate(flat, CancellationToken.None);
    }

    /// <summary>Test MSE of Γ = γI at depth L on <paramref name="contexts"/> fresh contexts: (mean, standard error).</summary>
    public static (double Mean, double Se) TestLossIsotropic(
        IsoTask task, int depth, double gamma, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(task);
        Guard.Finite(gamma, "gamma");
        var flat = GammaStatistics.ScaledIdentity(gamma, task.Dim);
        return new LossEstimator(task, depth, contexts, seed, maxDegreeOfParallelism).Estimate(flat, CancellationToken.None);
    }
}

/// <summary>
/// Reusable evaluator over a fixed set of evaluation contexts (the same contexts at every call, so curves
/// logged during training are compared on common random numbers).
/// </summary>
internal sealed class LossEstimator
{
    private readonly IsoTask task;
    private readonly int depth;
    private readonly ulong seed;
    private readonly ChunkedParallel partition;
    private readonly IsoContext[] contextBuffers;
    private readonly ReducedGammaWorkspace[] workspaces;
    private readonly double[] losses;
    private readonly int maxDegreeOfParallelism;
    private double[] gamma = [];

    public LossEstimator(IsoTask task, int depth, int contexts, ulong seed, int maxDegreeOfParallelism)
    {
        this.task = task;
        this.depth = Guard.AtLeast(depth, 1, "depth");
        this.seed = seed;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        partition = ChunkedParallel.For(Guard.AtLeast(contexts, 2, "contexts"));
        contextBuffers = new IsoContext[partition.Chunks];
        workspaces = new ReducedGammaWorkspace[partition.Chunks];
        for (var c = 0; c < partition.Chunks; c++)
        {
            contextBuffers[c] = new IsoContext(task);
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
            losses[i] = ReducedGammaModel.Loss(context, gamma, depth, workspace);
        }
    }
}

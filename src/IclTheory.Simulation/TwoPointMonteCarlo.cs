using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace IclTheory.Simulation;

/// <summary>
/// Exact finite-size Monte-Carlo of the width/context/depth loss landscape of Section 4 (Result 7):
/// ℒ(γ; N, L, P) = E (1/D) tr[Ω p(M)ᵀ Λ p(M)] with p(M) = (I − γM/L)^L and M = O(AᵀA)²Oᵀ Σ̂ (Eqs. 102, 106),
/// averaged over the rotation (or the Gaussian map) and the context X. Independent of the theory Solver: this is
/// the finite-D truth the two-point deterministic equivalent (Eqs. 15, 104–110) is checked against.
/// </summary>
public static class TwoPointMonteCarlo
{
    /// <summary>
    /// Runs <see cref="TwoPointMcOptions.Samples"/> draws and returns the mean loss and its standard error at every
    /// (L, g) of the grid. Each draw is reduced once (see <see cref="TwoPointSample"/>) and then serves the whole
    /// grid, so the grid points share samples. Samples are split into fixed chunks and each owns a child stream, so the
    /// result is bit-identical for a given seed whatever the thread count.
    /// </summary>
    /// <param name="options">The validated problem (validated again here).</param>
    /// <param name="progress">Receives the number of completed samples.</param>
    /// <param name="ct">Cancels the run (throws <see cref="OperationCanceledException"/>).</param>
    /// <exception cref="InvalidOperationException">A loss overflowed, or a Gaussian map was numerically rank deficient
    /// (the first such error of the parallel run is rethrown unwrapped).</exception>
    public static TwoPointMcResult Run(TwoPointMcOptions options, IProgress<int>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var lambda = Spectrum.Validated(options.Lambda, options.Dim, "lambda");
        var omega = Spectrum.Validated(options.Omega, options.Dim, "omega");
        var depths = (int[])options.Depths.Clone();
        var steps = (double[])options.GammaOverDepth.Clone();
        var samples = options.Samples;
        var losses = new double[depths.Length * steps.Length][];
        for (var point = 0; point < losses.Length; point++)
        {
            losses[point] = new double[samples];
        }

        var pool = new ConcurrentBag<TwoPointSample>();
        var partition = ChunkedParallel.For(samples);
        var completed = 0;
        void RunChunk(int chunk)
        {
            if (!pool.TryTake(out var workspace))
            {
                workspace = new TwoPointSample(options.Dim, options.Width, options.Context ?? 0, options.Projection, lambda, omega);
            }

            for (var s = partition.Start(chunk); s < partition.End(chunk); s++)
            {
                ct.ThrowIfCancellationRequested();
                RecordSample(workspace, options.Seed, s, depths, steps, losses);
                progress?.Report(Interlocked.Increment(ref completed));
            }

            pool.Add(workspace);
        }

        try
        {
            Parallel.For(0, partition.Chunks, ChunkedParallel.Options(options.MaxDegreeOfParallelism, ct), RunChunk);
        }
        catch (AggregateException error) when (error.InnerExceptions.Count >= 1)
        {
            ExceptionDispatchInfo.Capture(error.InnerExceptions[0]).Throw();
        }

        return new TwoPointMcResult(options.Dim, options.Width, options.Context, options.Projection, Summarize(depths, steps, losses));
    }

    /// <summary>Draws and reduces sample <paramref name="index"/>, then writes its loss at every (L, g) into column <paramref name="index"/>.</summary>
    private static void RecordSample(TwoPointSample workspace, ulong seed, int index, int[] depths, double[] steps, double[][] losses)
    {
        workspace.Draw(seed, index);
        workspace.Reduce();
        for (var i = 0; i < depths.Length; i++)
        {
            for (var j = 0; j < steps.Length; j++)
            {
                losses[i * steps.Length + j][index] = workspace.Loss(depths[i], steps[j]);
            }
        }
    }

    /// <summary>Mean and standard error per grid point, summed in sample order (so independent of the thread count).</summary>
    private static TwoPointMcPoint[] Summarize(int[] depths, double[] steps, double[][] losses)
    {
        var points = new TwoPointMcPoint[losses.Length];
        for (var i = 0; i < depths.Length; i++)
        {
            for (var j = 0; j < steps.Length; j++)
            {
                var values = losses[i * steps.Length + j];
                var (mean, se) = LossEstimator.MeanAndStandardError(values);
                points[i * steps.Length + j] = new TwoPointMcPoint(depths[i], steps[j], steps[j] * depths[i], mean, se, values.Length);
            }
        }

        return points;
    }
}

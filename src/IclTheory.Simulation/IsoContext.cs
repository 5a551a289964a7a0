using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// One ISO context (Eq. 5) in preallocated buffers, resampled in place: the task vector β,
/// the P labelled points X (row μ is x_μ) with targets y, and the K evaluation points X* with
/// noisy targets y*. Draw order is fixed (β, then each labelled row and its noise, then each
/// evaluation row and its noise), so a stream seed determines the context exactly.
/// </summary>
public sealed class IsoContext : IRegressionContext
{
    /// <summary>Allocates buffers for contexts of <paramref name="task"/>.</summary>
    public IsoContext(IsoTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        Beta = new double[task.Dim];
        X = new double[task.Context * task.Dim];
        Y = new double[task.Context];
        XStar = new double[task.Eval * task.Dim];
        YStar = new double[task.Eval];
    }

    /// <summary>The task the buffers are shaped for.</summary>
    public IsoTask Task { get; }

    /// <inheritdoc/>
    public int Dim => Task.Dim;

    /// <inheritdoc/>
    public int Points => Task.Context;

    /// <inheritdoc/>
    public int EvalPoints => Task.Eval;

    /// <summary>Task vector β ~ N(0, I_D).</summary>
    public double[] Beta { get; }

    /// <summary>Labelled inputs, P×D row-major (the transpose of the paper's D×P matrix X).</summary>
    public double[] X { get; }

    /// <summary>Labelled targets y_μ = β·x_μ/√D + σε_μ.</summary>
    public double[] Y { get; }

    /// <summary>Evaluation inputs, K×D row-major.</summary>
    public double[] XStar { get; }

    /// <summary>Noisy evaluation targets y*_k = β·x*_k/√D + σε*_k.</summary>
    public double[] YStar { get; }

    /// <summary>Labelled input x_μ.</summary>
    public ReadOnlySpan<double> Row(int mu) => X.AsSpan(mu * Task.Dim, Task.Dim);

    /// <summary>Evaluation input x*_k.</summary>
    public ReadOnlySpan<double> EvalRow(int k) => XStar.AsSpan(k * Task.Dim, Task.Dim);

    /// <summary>Resamples the context from the stream <paramref name="rng"/> (Eq. 5).</summary>
    public void Sample(ref Xoshiro256StarStar rng)
    {
        rng.FillNormal(Beta);
        SamplePoints(ref rng, X, Y);
        SamplePoints(ref rng, XStar, YStar);
    }

    /// <summary>Resamples the context from the child stream of cell (purpose, step, index) under <paramref name="seed"/>.</summary>
    public void Sample(ulong seed, StreamPurpose purpose, long step, long index)
    {
        var rng = Xoshiro256StarStar.ForCell(seed, purpose, step, index);
        Sample(ref rng);
    }

    private void SamplePoints(ref Xoshiro256StarStar rng, double[] inputs, double[] targets)
    {
        var dim = Task.Dim;
        var scale = 1.0 / Math.Sqrt(dim);
        var sigma = Math.Sqrt(Task.Sigma2);
        for (var mu = 0; mu < targets.Length; mu++)
        {
            var row = inputs.AsSpan(mu * dim, dim);
            rng.FillNormal(row);
            targets[mu] = scale * TensorPrimitives.Dot<double>(row, Beta) + sigma * rng.NextNormal();
        }
    }
}

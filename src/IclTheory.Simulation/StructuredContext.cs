using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// One FS or RRS context in preallocated buffers, resampled in place. Draw order is fixed: for RRS the rotation
/// O_c (D² normals, <see cref="HaarOrthogonal"/>), then g for β = O_c Ω^{1/2} g, then each labelled row z with
/// x = O_c Λ^{1/2} z and its label noise, then each evaluation row and its noise (O_c = I for FS, Eq. 12).
/// </summary>
public sealed class StructuredContext : IRegressionContext
{
    private readonly double[] sqrtLambda;
    private readonly double[] sqrtOmega;
    private readonly double[] rotation;
    private readonly double[] draw;
    private readonly HaarOrthogonal? haar;

    /// <summary>Allocates buffers for contexts of <paramref name="task"/>.</summary>
    public StructuredContext(StructuredTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        var dim = task.Dim;
        sqrtLambda = new double[dim];
        sqrtOmega = new double[dim];
        TensorPrimitives.Sqrt(task.LambdaSpan, sqrtLambda);
        TensorPrimitives.Sqrt(task.OmegaSpan, sqrtOmega);
        draw = new double[dim];
        Beta = new double[dim];
        X = new double[task.Context * dim];
        Y = new double[task.Context];
        XStar = new double[task.Eval * dim];
        YStar = new double[task.Eval];
        var rotated = task.Setting == CovarianceSetting.RandomRotation;
        haar = rotated ? new HaarOrthogonal(dim) : null;
        rotation = rotated ? new double[dim * dim] : [];
    }

    /// <summary>The task the buffers are shaped for.</summary>
    public StructuredTask Task { get; }

    /// <inheritdoc/>
    public int Dim => Task.Dim;

    /// <inheritdoc/>
    public int Points => Task.Context;

    /// <inheritdoc/>
    public int EvalPoints => Task.Eval;

    /// <summary>Task vector β = O_c Ω^{1/2} g.</summary>
    public double[] Beta { get; }

    /// <summary>The rotation O_c of the current context, D×D row-major; empty for FS.</summary>
    public ReadOnlySpan<double> Rotation => rotation;

    /// <inheritdoc/>
    public double[] X { get; }

    /// <summary>Labelled targets y_μ = β·x_μ/√D + σε_μ.</summary>
    public double[] Y { get; }

    /// <inheritdoc/>
    public double[] XStar { get; }

    /// <summary>Evaluation targets y*_k = β·x*_k/√D + σε*_k.</summary>
    public double[] YStar { get; }

    /// <summary>Resamples the context from the stream <paramref name="rng"/> (Section 3.2 / Eq. 12).</summary>
    public void Sample(ref Xoshiro256StarStar rng)
    {
        haar?.Sample(ref rng, rotation);
        DrawStructured(ref rng, sqrtOmega, Beta);
        SamplePoints(ref rng, X, Y);
        SamplePoints(ref rng, XStar, YStar);
    }

    /// <inheritdoc/>
    public void Sample(ulong seed, StreamPurpose purpose, long step, long index)
    {
        var rng = Xoshiro256StarStar.ForCell(seed, purpose, step, index);
        Sample(ref rng);
    }

    /// <summary>destination = O_c S^{1/2} z with z standard normal (O_c = I for FS).</summary>
    private void DrawStructured(ref Xoshiro256StarStar rng, ReadOnlySpan<double> sqrtScale, Span<double> destination)
    {
        if (haar is null)
        {
            rng.FillNormal(destination);
            TensorPrimitives.Multiply(destination, sqrtScale, destination);
            return;
        }

        var dim = Task.Dim;
        rng.FillNormal(draw);
        TensorPrimitives.Multiply(draw, sqrtScale, draw);
        for (var i = 0; i < dim; i++)
        {
            destination[i] = TensorPrimitives.Dot<double>(rotation.AsSpan(i * dim, dim), draw);
        }
    }

    private void SamplePoints(ref Xoshiro256StarStar rng, double[] inputs, double[] targets)
    {
        var dim = Task.Dim;
        var scale = 1.0 / Math.Sqrt(dim);
        var sigma = Math.Sqrt(Task.Sigma2);
        for (var mu = 0; mu < targets.Length; mu++)
        {
            var row = inputs.AsSpan(mu * dim, dim);
            DrawStructured(ref rng, sqrtLambda, row);
            targets[mu] = scale * TensorPrimitives.Dot<double>(row, Beta) + sigma * rng.NextNormal();
        }
    }
}

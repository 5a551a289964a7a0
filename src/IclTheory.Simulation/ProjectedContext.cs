namespace IclTheory.Simulation;

/// <summary>
/// One context of a <see cref="ProjectedTask"/>: the underlying D-dimensional context is sampled from the same stream
/// cell (so the draws do not depend on the width), then every labelled and evaluation row x is replaced by its features
/// x̃ = A x = (x_1, …, x_N) (Eq. 14, A = [I_N 0]); the targets are the underlying ones, computed from the full x.
/// </summary>
public sealed class ProjectedContext : IRegressionContext
{
    /// <summary>Allocates buffers for contexts of <paramref name="task"/>.</summary>
    public ProjectedContext(ProjectedTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        Inner = task.Inner.CreateContext();
        X = new double[task.Context * task.Width];
        XStar = new double[task.Eval * task.Width];
    }

    /// <summary>The task the buffers are shaped for.</summary>
    public ProjectedTask Task { get; }

    /// <summary>The underlying D-dimensional context (inputs before projection, the task vector for structured tasks).</summary>
    public IRegressionContext Inner { get; }

    /// <summary>The model's dimension: the width N.</summary>
    public int Dim => Task.Width;

    /// <inheritdoc/>
    public int Points => Task.Context;

    /// <inheritdoc/>
    public int EvalPoints => Task.Eval;

    /// <summary>Labelled features x̃_μ = A x_μ, P×N row-major.</summary>
    public double[] X { get; }

    /// <summary>Labelled targets of the underlying context, y_μ = β·x_μ/√D + σε_μ (full x).</summary>
    public double[] Y => Inner.Y;

    /// <summary>Evaluation features x̃*_k = A x*_k, K×N row-major.</summary>
    public double[] XStar { get; }

    /// <summary>Evaluation targets of the underlying context, y*_k = β·x*_k/√D + σε*_k (full x*).</summary>
    public double[] YStar => Inner.YStar;

    /// <inheritdoc/>
    public void Sample(ulong seed, StreamPurpose purpose, long step, long index)
    {
        Inner.Sample(seed, purpose, step, index);
        Project(Inner.X, X);
        Project(Inner.XStar, XStar);
    }

    /// <summary>Copies the first N entries of each D-entry row of <paramref name="inputs"/> to <paramref name="features"/>.</summary>
    private void Project(double[] inputs, double[] features)
    {
        var inputDim = Task.InputDim;
        var width = Task.Width;
        var rows = features.Length / width;
        for (var row = 0; row < rows; row++)
        {
            inputs.AsSpan(row * inputDim, width).CopyTo(features.AsSpan(row * width, width));
        }
    }
}

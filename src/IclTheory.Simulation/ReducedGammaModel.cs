using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// The recurrent reduced-Γ model (Eq. 4, Eq. 52) in its efficient in-context gradient-descent form (Eq. 54).
/// </summary>
/// <remarks>
/// <para>
/// With X the D×P data matrix, b = Xy/P and Σ̂ = XXᵀ/P, run w⁰ = 0 and
/// w^{ℓ+1} = w^ℓ + L⁻¹ Γ r^ℓ with residual r^ℓ = b − Σ̂ w^ℓ, then predict f* = x*ᵀ w^L.
/// This equals Eq. 52: the residuals obey r^{ℓ+1} = (I − L⁻¹ Σ̂Γ) r^ℓ, so
/// w^L = L⁻¹ Γ Σ_{ℓ&lt;L} (I − L⁻¹ Σ̂Γ)^ℓ X y / P, and the push-through identity
/// (I − L⁻¹ Σ̂Γ)^ℓ X = X (I − (LP)⁻¹ XᵀΓX)^ℓ gives f* = (LP)⁻¹ x*ᵀ Γ X Σ_ℓ (I − (LP)⁻¹ XᵀΓX)^ℓ y.
/// (w^L is the paper's β^L/√D of Eq. 54–55.) Σ̂ is applied as X(Xᵀv)/P at cost 2PD, Γ at cost D².
/// </para>
/// <para>
/// Backward pass (adjoint of the recursion) for ℒ(D) = K⁻¹ Σ_k (f*_k − y*_k)²:
/// g^L = ∂ℒ/∂w^L = (2/K) Σ_k (f*_k − y*_k) x*_k; for ℓ = L−1, …, 0:
/// ∂ℒ/∂Γ += L⁻¹ g^{ℓ+1} (r^ℓ)ᵀ and g^ℓ = g^{ℓ+1} − L⁻¹ Σ̂ Γᵀ g^{ℓ+1} (Σ̂ is symmetric).
/// Cost per context: about L(4PD + 3D²) + 2KD multiply–adds.
/// </para>
/// </remarks>
public static class ReducedGammaModel
{
    /// <summary>The context loss ℒ(D) = K⁻¹ Σ_k (f*_k − y*_k)² of Γ (D×D row-major) at depth L.</summary>
    public static double Loss(IsoContext context, ReadOnlySpan<double> gamma, int depth, ReducedGammaWorkspace workspace)
    {
        Forward(context, gamma, depth, workspace);
        return EvaluationErrors(context, workspace);
    }

    /// <summary>
    /// Returns ℒ(D) and adds <paramref name="scale"/>·∂ℒ(D)/∂Γ into <paramref name="gradient"/> (D×D row-major).
    /// </summary>
    public static double LossAndGradient(
        IsoContext context,
        ReadOnlySpan<double> gamma,
        int depth,
        ReducedGammaWorkspace workspace,
        Span<double> gradient,
        double scale)
    {
        Forward(context, gamma, depth, workspace);
        var loss = EvaluationErrors(context, workspace);
        Backward(context, gamma, depth, workspace, gradient, scale);
        return loss;
    }

    /// <summary>The predictions f*_k for the K evaluation points (written to <paramref name="predictions"/>).</summary>
    public static void Predict(IsoContext context, ReadOnlySpan<double> gamma, int depth, ReducedGammaWorkspace workspace, Span<double> predictions)
    {
        Forward(context, gamma, depth, workspace);
        for (var k = 0; k < context.Task.Eval; k++)
        {
            predictions[k] = TensorPrimitives.Dot(context.EvalRow(k), workspace.W);
        }
    }

    /// <summary>Runs Eq. 54 for L steps, keeping every residual r^ℓ for the backward pass.</summary>
    private static void Forward(IsoContext context, ReadOnlySpan<double> gamma, int depth, ReducedGammaWorkspace workspace)
    {
        var dim = context.Task.Dim;
        workspace.Check(context.Task, depth);
        if (gamma.Length != dim * dim)
        {
            throw new ArgumentException($"gamma must hold D×D = {dim * dim} entries; got {gamma.Length}.", nameof(gamma));
        }

        Span<double> w = workspace.W;
        Span<double> b = workspace.B;
        MomentVector(context, b);
        w.Clear();
        var invDepth = 1.0 / depth;
        for (var layer = 0; layer < depth; layer++)
        {
            var residual = workspace.Residual(layer);
            if (layer == 0)
            {
                b.CopyTo(residual);
            }
            else
            {
                ApplyCovariance(context, w, residual, workspace.PointScratch);
                TensorPrimitives.Subtract(b, residual, residual);
            }

            for (var i = 0; i < dim; i++)
            {
                w[i] += invDepth * TensorPrimitives.Dot(gamma.Slice(i * dim, dim), residual);
            }
        }
    }

    /// <summary>Stores e_k = f*_k − y*_k and returns ℒ(D) = K⁻¹ Σ e_k².</summary>
    private static double EvaluationErrors(IsoContext context, ReducedGammaWorkspace workspace)
    {
        var errors = workspace.Errors;
        for (var k = 0; k < errors.Length; k++)
        {
            errors[k] = TensorPrimitives.Dot(context.EvalRow(k), workspace.W) - context.YStar[k];
        }

        return TensorPrimitives.SumOfSquares<double>(errors) / errors.Length;
    }

    private static void Backward(
        IsoContext context,
        ReadOnlySpan<double> gamma,
        int depth,
        ReducedGammaWorkspace workspace,
        Span<double> gradient,
        double scale)
    {
        var dim = context.Task.Dim;
        Span<double> g = workspace.Adjoint;
        Span<double> u = workspace.DimScratch;
        g.Clear();
        var errors = workspace.Errors;
        var outputScale = 2.0 / errors.Length;
        for (var k = 0; k < errors.Length; k++)
        {
            TensorPrimitives.MultiplyAdd(context.EvalRow(k), outputScale * errors[k], g, g);
        }

        var invDepth = 1.0 / depth;
        for (var layer = depth - 1; layer >= 0; layer--)
        {
            AddOuterProduct(gradient, g, workspace.Residual(layer), scale * invDepth);
            if (layer == 0)
            {
                break;
            }

            TransposeMultiply(gamma, g, u);
            ApplyCovariance(context, u, u, workspace.PointScratch);
            TensorPrimitives.MultiplyAdd(u, -invDepth, g, g);
        }
    }

    /// <summary>b = Xy/P, the moment vector of the context (Eq. 54 with the D^{-1/2} scale absorbed).</summary>
    private static void MomentVector(IsoContext context, Span<double> b)
    {
        b.Clear();
        var y = context.Y;
        for (var mu = 0; mu < y.Length; mu++)
        {
            TensorPrimitives.MultiplyAdd(context.Row(mu), y[mu], b, b);
        }

        TensorPrimitives.Multiply(b, 1.0 / y.Length, b);
    }

    /// <summary>result = Σ̂ v = X(Xᵀv)/P; <paramref name="result"/> may alias <paramref name="v"/>.</summary>
    private static void ApplyCovariance(IsoContext context, ReadOnlySpan<double> v, Span<double> result, Span<double> pointScratch)
    {
        var points = context.Task.Context;
        var projections = pointScratch[..points];
        for (var mu = 0; mu < points; mu++)
        {
            projections[mu] = TensorPrimitives.Dot(context.Row(mu), v);
        }

        result.Clear();
        var invPoints = 1.0 / points;
        for (var mu = 0; mu < points; mu++)
        {
            TensorPrimitives.MultiplyAdd(context.Row(mu), invPoints * projections[mu], result, result);
        }
    }

    /// <summary>result = Γᵀ g, accumulated over the rows of Γ.</summary>
    private static void TransposeMultiply(ReadOnlySpan<double> gamma, ReadOnlySpan<double> g, Span<double> result)
    {
        var dim = g.Length;
        result.Clear();
        for (var i = 0; i < dim; i++)
        {
            TensorPrimitives.MultiplyAdd(gamma.Slice(i * dim, dim), g[i], result, result);
        }
    }

    /// <summary>matrix += scale · a bᵀ.</summary>
    private static void AddOuterProduct(Span<double> matrix, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double scale)
    {
        var dim = b.Length;
        for (var i = 0; i < a.Length; i++)
        {
            var row = matrix.Slice(i * dim, dim);
            TensorPrimitives.MultiplyAdd(b, scale * a[i], row, row);
        }
    }
}

/// <summary>Per-worker scratch for <see cref="ReducedGammaModel"/>: reused across contexts, so a step allocates nothing.</summary>
public sealed class ReducedGammaWorkspace
{
    private readonly double[] residuals;

    /// <summary>Allocates scratch for contexts of <paramref name="task"/> at depth <paramref name="depth"/>.</summary>
    public ReducedGammaWorkspace(IsoTask task, int depth)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        Depth = Guard.AtLeast(depth, 1, "depth");
        residuals = new double[depth * task.Dim];
        W = new double[task.Dim];
        B = new double[task.Dim];
        Adjoint = new double[task.Dim];
        DimScratch = new double[task.Dim];
        PointScratch = new double[task.Context];
        Errors = new double[task.Eval];
    }

    /// <summary>The task the scratch is shaped for.</summary>
    public IsoTask Task { get; }

    /// <summary>The depth the scratch is shaped for.</summary>
    public int Depth { get; }

    internal double[] W { get; }

    internal double[] B { get; }

    internal double[] Adjoint { get; }

    internal double[] DimScratch { get; }

    internal double[] PointScratch { get; }

    internal double[] Errors { get; }

    internal Span<double> Residual(int layer) => residuals.AsSpan(layer * Task.Dim, Task.Dim);

    internal void Check(IsoTask task, int depth)
    {
        if (task.Dim != Task.Dim || task.Context != Task.Context || task.Eval != Task.Eval || depth > Depth)
        {
            throw new ArgumentException(
                $"The workspace was built for D={Task.Dim}, P={Task.Context}, K={Task.Eval}, L≤{Depth}; got D={task.Dim}, P={task.Context}, K={task.Eval}, L={depth}.",
                nameof(task));
        }
    }
}

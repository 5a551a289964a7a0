using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// The reduced model with a separate matrix Γ^ℓ per layer (Section 5.1; Appendix B, Eqs. 47–49; Appendix G.1),
/// in the in-context gradient-descent form of Eq. 54 with a layer-dependent preconditioner.
/// </summary>
/// <remarks>
/// <para>
/// Parameters are L matrices Γ^0, …, Γ^{L−1} (the paper's Γ^1..Γ^L), stored as one span of L·D² entries,
/// layer ℓ at offset ℓD² (row-major). With b = Xy/P and Σ̂ = XXᵀ/P: w⁰ = 0, r^ℓ = b − Σ̂ w^ℓ,
/// w^{ℓ+1} = w^ℓ + L⁻¹ Γ^ℓ r^ℓ, f* = x*ᵀ w^L. The training-point residual stream Δ^ℓ = y − Xᵀw^ℓ then obeys
/// Δ^{ℓ+1} = (I − (LP)⁻¹ XᵀΓ^ℓX) Δ^ℓ (Eq. 48) and f* = (LP)⁻¹ Σ_ℓ x*ᵀ Γ^ℓ X Δ^ℓ (Eq. 49). Eqs. 47–49 print
/// x_νᵀΓ^ℓx_μ where the tied Eqs. 50–52 print x_μᵀΓx_ν; this class uses the Eq. 50–52 orientation, so that
/// Γ^ℓ = Γ for every ℓ is exactly <see cref="ReducedGammaModel"/> (the other orientation is Γ^ℓ ↦ (Γ^ℓ)ᵀ).
/// Label noise enters through y, which gives the noise terms of Eqs. 119–122.
/// </para>
/// <para>
/// Backward pass (adjoint): g^L = (2/K) Σ_k (f*_k − y*_k) x*_k; for ℓ = L−1, …, 0:
/// ∂ℒ/∂Γ^ℓ = L⁻¹ g^{ℓ+1} (r^ℓ)ᵀ and g^ℓ = g^{ℓ+1} − L⁻¹ Σ̂ (Γ^ℓ)ᵀ g^{ℓ+1}.
/// Summing ∂ℒ/∂Γ^ℓ over ℓ at Γ^ℓ = Γ gives the recurrent ∂ℒ/∂Γ.
/// </para>
/// </remarks>
public static class UntiedGammaModel
{
    /// <summary>The context loss ℒ(D) = K⁻¹ Σ_k (f*_k − y*_k)² of the layers {Γ^ℓ} (L·D² entries, L = depth).</summary>
    public static double Loss(IRegressionContext context, ReadOnlySpan<double> gammas, int depth, ReducedGammaWorkspace workspace)
    {
        Forward(context, gammas, depth, workspace);
        return ReducedGammaModel.EvaluationErrors(context, workspace);
    }

    /// <summary>
    /// Returns ℒ(D) and adds <paramref name="scale"/>·∂ℒ(D)/∂Γ^ℓ into layer ℓ of <paramref name="gradients"/>
    /// (L·D² entries, the layout of <paramref name="gammas"/>).
    /// </summary>
    public static double LossAndGradient(
        IRegressionContext context,
        ReadOnlySpan<double> gammas,
        int depth,
        ReducedGammaWorkspace workspace,
        Span<double> gradients,
        double scale)
    {
        Forward(context, gammas, depth, workspace);
        var loss = ReducedGammaModel.EvaluationErrors(context, workspace);
        ReducedGammaModel.CheckLength(gradients, gammas.Length, "gradients");
        Backward(context, gammas, depth, workspace, gradients, scale);
        return loss;
    }

    /// <summary>Layer ℓ's matrix Γ^ℓ inside the stacked span.</summary>
    public static ReadOnlySpan<double> Layer(ReadOnlySpan<double> gammas, int layer, int dim) => gammas.Slice(layer * dim * dim, dim * dim);

    /// <summary>Runs the layer recursion of Eqs. 48–49, keeping every residual r^ℓ for the backward pass.</summary>
    private static void Forward(IRegressionContext context, ReadOnlySpan<double> gammas, int depth, ReducedGammaWorkspace workspace)
    {
        var dim = context.Dim;
        workspace.Check(context, depth);
        ReducedGammaModel.CheckLength(gammas, depth * dim * dim, "gammas");
        ReducedGammaModel.ForwardLayers(context, gammas, dim * dim, depth, workspace);
    }

    private static void Backward(
        IRegressionContext context,
        ReadOnlySpan<double> gammas,
        int depth,
        ReducedGammaWorkspace workspace,
        Span<double> gradients,
        double scale)
    {
        var dim = context.Dim;
        Span<double> g = workspace.Adjoint;
        Span<double> u = workspace.DimScratch;
        ReducedGammaModel.OutputAdjoint(context, workspace, g);
        var invDepth = 1.0 / depth;
        for (var layer = depth - 1; layer >= 0; layer--)
        {
            ReducedGammaModel.AddOuterProduct(gradients.Slice(layer * dim * dim, dim * dim), g, workspace.Residual(layer), scale * invDepth);
            if (layer == 0)
            {
                break;
            }

            ReducedGammaModel.TransposeMultiply(Layer(gammas, layer, dim), g, u);
            ReducedGammaModel.ApplyCovariance(context, u, u, workspace.PointScratch);
            TensorPrimitives.MultiplyAdd(u, -invDepth, g, g);
        }
    }
}

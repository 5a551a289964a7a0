using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// The weights of the deep linear attention model (Eq. 3) in one flat array: W_x (R×D), w_y (R), w_o (R), then
/// for each block b the R×R matrices W_k^b, W_q^b, W_v^b (all row-major). Tied weights (the looped transformer of
/// Section 2.2, Eq. 124) use one block for every layer; untied weights (Appendix G.1) use one block per layer.
/// </summary>
/// <remarks>
/// Coordinates 0…D−1 of the residual stream form the x-subspace (the embedding E = [I_D; 0] ∈ ℝ^{R×D}) and
/// coordinate D is the label coordinate e: the aligned configuration of Eqs. 43–45 is W_x ∝ E, w_y = w_o = e,
/// W_k, W_q ∝ E Eᵀ and W_v ∝ e eᵀ.
/// </remarks>
public sealed class FullAttentionParameters
{
    /// <summary>Zero weights for inputs of dimension D, residual width R ≥ D + 1 and depth L.</summary>
    /// <param name="dim">Input dimension D ≥ 1 ("dim").</param>
    /// <param name="width">Residual width R ≥ D + 1 ("width").</param>
    /// <param name="depth">Depth L ≥ 1 ("depth").</param>
    /// <param name="tied">One set of W_k, W_q, W_v shared by every layer (true) or one per layer (false).</param>
    public FullAttentionParameters(int dim, int width, int depth, bool tied)
    {
        Dim = Guard.AtLeast(dim, 1, "dim");
        Width = Guard.AtLeast(width, dim + 1, "width");
        Depth = Guard.AtLeast(depth, 1, "depth");
        Tied = tied;
        Blocks = tied ? 1 : depth;
        Values = new double[Width * Dim + 2 * Width + 3 * Blocks * Width * Width];
    }

    /// <summary>Input dimension D.</summary>
    public int Dim { get; }

    /// <summary>Residual width R.</summary>
    public int Width { get; }

    /// <summary>Depth L (number of attention layers).</summary>
    public int Depth { get; }

    /// <summary>Whether W_k, W_q, W_v are shared across layers.</summary>
    public bool Tied { get; }

    /// <summary>Number of (W_k, W_q, W_v) blocks: 1 when tied, L otherwise.</summary>
    public int Blocks { get; }

    /// <summary>Index of the label coordinate e in the residual stream (= D).</summary>
    public int LabelCoordinate => Dim;

    /// <summary>All weights, flat, in the layout of the class summary (gradients use the same layout).</summary>
    public double[] Values { get; }

    /// <summary>W_x, R×D row-major.</summary>
    public Span<double> Wx => Values.AsSpan(0, Width * Dim);

    /// <summary>w_y, the label read-in (R).</summary>
    public Span<double> Wy => Values.AsSpan(WyOffset, Width);

    /// <summary>w_o, the readout (R).</summary>
    public Span<double> Wo => Values.AsSpan(WoOffset, Width);

    internal int WyOffset => Width * Dim;

    internal int WoOffset => WyOffset + Width;

    internal int BlocksOffset => WoOffset + Width;

    /// <summary>W_k of block <paramref name="block"/>, R×R row-major.</summary>
    public Span<double> Wk(int block) => Values.AsSpan(KOffset(block), Width * Width);

    /// <summary>W_q of block <paramref name="block"/>, R×R row-major.</summary>
    public Span<double> Wq(int block) => Values.AsSpan(KOffset(block) + Width * Width, Width * Width);

    /// <summary>W_v of block <paramref name="block"/>, R×R row-major.</summary>
    public Span<double> Wv(int block) => Values.AsSpan(KOffset(block) + 2 * Width * Width, Width * Width);

    /// <summary>The block used by layer ℓ ∈ [0, L): 0 when tied, ℓ otherwise.</summary>
    public int BlockOf(int layer) => Tied ? 0 : layer;

    internal int KOffset(int block) =>
        block >= 0 && block < Blocks
            ? BlocksOffset + 3 * block * Width * Width
            : throw new ArgumentOutOfRangeException(nameof(block), block, $"block must lie in [0, {Blocks}); got {block}.");

    /// <summary>A deep copy.</summary>
    public FullAttentionParameters Clone()
    {
        var copy = new FullAttentionParameters(Dim, Width, Depth, Tied);
        Values.CopyTo(copy.Values, 0);
        return copy;
    }

    /// <summary>
    /// The balanced aligned initialization of Result 9 / Appendix G.2: W_x = √2σ E, W_k = W_q = σ E Eᵀ,
    /// W_v = σ e eᵀ, w_y = w_o = e. Then (w_oᵀW_v w_y) W_xᵀW_qᵀW_kW_x = 2σ⁵ I (Eq. 46, Eq. 126 with w_x(0) = √2 w_k(0)).
    /// </summary>
    public static FullAttentionParameters Aligned(int dim, int width, int depth, bool tied, double sigma)
    {
        Guard.Finite(sigma, "sigma");
        var parameters = new FullAttentionParameters(dim, width, depth, tied);
        parameters.SetAligned(Math.Sqrt(2.0) * sigma, sigma, sigma, sigma, 1.0, 1.0);
        return parameters;
    }

    /// <summary>
    /// Small Gaussian initialization: every entry of W_x is N(0, scale²/D) and every entry of W_k, W_q, W_v (and of
    /// w_y, w_o unless <paramref name="unitReadout"/>) is N(0, scale²/R), so each tensor maps unit vectors to vectors
    /// of norm ≈ scale. With <paramref name="unitReadout"/>, w_y = w_o = e. Draws come from the auxiliary stream
    /// (seed, step −1, index 0), in the flat layout order.
    /// </summary>
    public static FullAttentionParameters Random(int dim, int width, int depth, bool tied, double scale, bool unitReadout, ulong seed)
    {
        Guard.PositiveFinite(scale, "scale");
        var parameters = new FullAttentionParameters(dim, width, depth, tied);
        var rng = Xoshiro256StarStar.ForCell(seed, StreamPurpose.Auxiliary, -1, 0);
        rng.FillNormal(parameters.Values);
        TensorPrimitives.Multiply(parameters.Wx, scale / Math.Sqrt(dim), parameters.Wx);
        var rest = parameters.Values.AsSpan(parameters.WyOffset);
        TensorPrimitives.Multiply(rest, scale / Math.Sqrt(parameters.Width), rest);
        if (unitReadout)
        {
            parameters.SetUnitReadout();
        }

        return parameters;
    }

    /// <summary>
    /// Sets the aligned configuration of Eqs. 43–45 with the given scales: W_x = w_x E, W_k^b = w_k E Eᵀ,
    /// W_q^b = w_q E Eᵀ, W_v^b = w_v e eᵀ, w_o = w_o e, w_y = w_y e (every block alike); other entries zero.
    /// </summary>
    public void SetAligned(double wx, double wk, double wq, double wv, double wo, double wy)
    {
        Array.Clear(Values);
        var wxMatrix = Wx;
        for (var i = 0; i < Dim; i++)
        {
            wxMatrix[i * Dim + i] = wx;
        }

        Wy[LabelCoordinate] = wy;
        Wo[LabelCoordinate] = wo;
        for (var block = 0; block < Blocks; block++)
        {
            var k = Wk(block);
            var q = Wq(block);
            for (var i = 0; i < Dim; i++)
            {
                k[i * Width + i] = wk;
                q[i * Width + i] = wq;
            }

            Wv(block)[LabelCoordinate * Width + LabelCoordinate] = wv;
        }
    }

    /// <summary>Sets w_y = w_o = e (the fixed unit read-in and readout of Result 9).</summary>
    public void SetUnitReadout()
    {
        Wy.Clear();
        Wo.Clear();
        Wy[LabelCoordinate] = 1.0;
        Wo[LabelCoordinate] = 1.0;
    }

    /// <summary>
    /// The effective Γ of block b in the orientation of <see cref="ReducedGammaModel"/> (f* = x*ᵀ Γ X(…)y/(LP), Eq. 52):
    /// Γ = (w_oᵀ W_v w_y) W_xᵀ W_qᵀ W_k W_x, the transpose of Eq. 46 as printed, because Eq. 47's attention score
    /// k_ν·q_μ = x_νᵀ (W_xᵀW_kᵀW_qW_x) x_μ puts the query x_μ on the right while Eq. 52 puts the query x* on the left.
    /// Exact for the aligned configuration when |w_o·w_y| = 1; otherwise a summary of the weights.
    /// </summary>
    public double[] EffectiveGamma(int block)
    {
        var r = Width;
        var d = Dim;
        var keys = new double[r * d];
        var queries = new double[r * d];
        MultiplyIntoEmbedding(Wk(block), keys);
        MultiplyIntoEmbedding(Wq(block), queries);
        var valueGain = ValueGain(block);
        var gamma = new double[d * d];
        for (var row = 0; row < r; row++)
        {
            var q = queries.AsSpan(row * d, d);
            var k = keys.AsSpan(row * d, d);
            for (var i = 0; i < d; i++)
            {
                var target = gamma.AsSpan(i * d, d);
                TensorPrimitives.MultiplyAdd(k, valueGain * q[i], target, target);
            }
        }

        return gamma;
    }

    /// <summary>The mean over blocks of <see cref="EffectiveGamma(int)"/> (D×D row-major).</summary>
    public double[] MeanEffectiveGamma()
    {
        var mean = EffectiveGamma(0);
        for (var block = 1; block < Blocks; block++)
        {
            TensorPrimitives.Add(mean, EffectiveGamma(block), mean);
        }

        TensorPrimitives.Multiply(mean, 1.0 / Blocks, mean);
        return mean;
    }

    /// <summary>
    /// The scales along the aligned directions (projections ⟨W, U⟩/‖U‖²_F): w_x = ⟨W_x, E⟩/D, w_k = ⟨W_k, EEᵀ⟩/D,
    /// w_q = ⟨W_q, EEᵀ⟩/D, w_v = eᵀW_v e, w_o = w_o·e, w_y = w_y·e; w_k, w_q, w_v are averaged over blocks.
    /// </summary>
    public FullAttentionScales Scales()
    {
        double wk = 0, wq = 0, wv = 0;
        for (var block = 0; block < Blocks; block++)
        {
            wk += EmbeddingTrace(Wk(block), Width) / Dim;
            wq += EmbeddingTrace(Wq(block), Width) / Dim;
            wv += Wv(block)[LabelCoordinate * Width + LabelCoordinate];
        }

        return new FullAttentionScales(
            EmbeddingTrace(Wx, Dim) / Dim, wk / Blocks, wq / Blocks, wv / Blocks, Wo[LabelCoordinate], Wy[LabelCoordinate]);
    }

    /// <summary>
    /// The root-mean-square scale of each tensor, ‖W‖_F/√n with n the squared norm of its aligned direction
    /// (n = D for W_x, W_k, W_q; n = 1 for W_v, w_o, w_y); equal to <see cref="Scales"/> when the weights are aligned
    /// with non-negative scales. W_k, W_q, W_v are averaged over blocks.
    /// </summary>
    public FullAttentionScales Norms()
    {
        double wk = 0, wq = 0, wv = 0;
        for (var block = 0; block < Blocks; block++)
        {
            wk += Norm(Wk(block)) / Math.Sqrt(Dim);
            wq += Norm(Wq(block)) / Math.Sqrt(Dim);
            wv += Norm(Wv(block));
        }

        return new FullAttentionScales(Norm(Wx) / Math.Sqrt(Dim), wk / Blocks, wq / Blocks, wv / Blocks, Norm(Wo), Norm(Wy));
    }

    /// <summary>w_oᵀ W_v w_y of block b, the value gain of Eq. 46.</summary>
    private double ValueGain(int block)
    {
        var v = Wv(block);
        var wy = Wy;
        var wo = Wo;
        var gain = 0.0;
        for (var i = 0; i < Width; i++)
        {
            gain += wo[i] * TensorPrimitives.Dot(v.Slice(i * Width, Width), wy);
        }

        return gain;
    }

    /// <summary>result = M W_x (R×D) for an R×R matrix M.</summary>
    private void MultiplyIntoEmbedding(ReadOnlySpan<double> matrix, Span<double> result)
    {
        result.Clear();
        var wx = Wx;
        for (var i = 0; i < Width; i++)
        {
            var target = result.Slice(i * Dim, Dim);
            for (var j = 0; j < Width; j++)
            {
                var m = matrix[i * Width + j];
                if (m != 0.0)
                {
                    TensorPrimitives.MultiplyAdd(wx.Slice(j * Dim, Dim), m, target, target);
                }
            }
        }
    }

    /// <summary>Σ_{i&lt;D} M[i, i] for a matrix with <paramref name="columns"/> columns: ⟨M, E⟩ or ⟨M, EEᵀ⟩.</summary>
    private double EmbeddingTrace(ReadOnlySpan<double> matrix, int columns)
    {
        var trace = 0.0;
        for (var i = 0; i < Dim; i++)
        {
            trace += matrix[i * columns + i];
        }

        return trace;
    }

    private static double Norm(ReadOnlySpan<double> values) => Math.Sqrt(TensorPrimitives.SumOfSquares(values));
}

/// <summary>Scales of the attention weights along their aligned directions (Eq. 124).</summary>
/// <param name="Wx">w_x.</param>
/// <param name="Wk">w_k.</param>
/// <param name="Wq">w_q.</param>
/// <param name="Wv">w_v.</param>
/// <param name="Wo">w_o.</param>
/// <param name="Wy">w_y.</param>
public sealed record FullAttentionScales(double Wx, double Wk, double Wq, double Wv, double Wo, double Wy)
{
    /// <summary>
    /// The balanced scale w = (w_v w_k w_q w_x²/2)^{1/5} (real fifth root, sign kept): on the balanced path of
    /// Result 9 (w_x = √2 w, Eq. 126) the effective Γ is 2w⁵ I.
    /// </summary>
    public double W
    {
        get
        {
            var product = Wv * Wk * Wq * Wx * Wx / 2.0;
            return Math.Sign(product) * Math.Pow(Math.Abs(product), 0.2);
        }
    }
}

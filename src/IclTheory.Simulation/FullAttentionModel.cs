using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// The deep linear attention model of Eq. 3 with the positional mask of Eqs. 41–42, with a hand-written backward pass.
/// </summary>
/// <remarks>
/// <para>
/// Tokens μ &lt; P carry (x_μ, y_μ), tokens μ ≥ P carry (x*_μ, 0): h¹_μ = W_x x_μ + w_y y_μ (Eq. 3). Layer ℓ with
/// block weights W_k, W_q, W_v computes k_ν = W_k h_ν, v_ν = W_v h_ν for the labelled tokens, S = Σ_{ν&lt;P} v_ν k_νᵀ,
/// q_μ = W_q h_μ for every token, and h^{ℓ+1}_μ = h^ℓ_μ + a_μ S q_μ with a_μ = M_μν/(LP), M_μν = −1 for labelled and
/// +1 for evaluation tokens (Eq. 41–42); S q_μ = Σ_ν (k_ν·q_μ) v_ν is the linear-attention identity, so a layer costs
/// O((P + K)R²). The prediction is f_μ = w_o·h^{L+1}_μ and ℒ = K⁻¹ Σ_{μ≥P} (f_μ − y*_μ)².
/// </para>
/// <para>
/// Backward pass with g_μ = ∂ℒ/∂h_μ: at the top g_μ = (2/K)(f_μ − y*_μ) w_o on evaluation tokens and 0 on labelled
/// ones, ∂ℒ/∂w_o = Σ (2/K)(f_μ − y*_μ) h^{L+1}_μ. Through a layer, with g' the adjoint of h^{ℓ+1}:
/// Ḡ = ∂ℒ/∂S = Σ_μ a_μ g'_μ q_μᵀ; r_μ = ∂ℒ/∂q_μ = a_μ Sᵀ g'_μ; ∂ℒ/∂v_ν = Ḡ k_ν; ∂ℒ/∂k_ν = Ḡᵀ v_ν;
/// ∂ℒ/∂W_q += Σ_μ r_μ h_μᵀ, ∂ℒ/∂W_v += Σ_ν Ḡk_ν h_νᵀ, ∂ℒ/∂W_k += Σ_ν Ḡᵀv_ν h_νᵀ (tied blocks accumulate over
/// layers); g_μ = g'_μ + W_qᵀ r_μ (+ W_vᵀ Ḡ k_μ + W_kᵀ Ḡᵀ v_μ for labelled μ). Finally ∂ℒ/∂W_x = Σ_μ g¹_μ x_μᵀ over
/// all tokens and ∂ℒ/∂w_y = Σ_{μ&lt;P} y_μ g¹_μ.
/// </para>
/// </remarks>
public static class FullAttentionModel
{
    /// <summary>The context loss ℒ = K⁻¹ Σ_k (f*_k − y*_k)².</summary>
    public static double Loss(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        Forward(context, parameters, workspace);
        return EvaluationErrors(context, parameters, workspace);
    }

    /// <summary>
    /// Returns ℒ and adds <paramref name="scale"/>·∂ℒ/∂θ into <paramref name="gradient"/>, laid out like
    /// <see cref="FullAttentionParameters.Values"/>.
    /// </summary>
    public static double LossAndGradient(
        IRegressionContext context,
        FullAttentionParameters parameters,
        FullAttentionWorkspace workspace,
        Span<double> gradient,
        double scale)
    {
        if (gradient.Length != parameters.Values.Length)
        {
            throw new ArgumentException(
                $"gradient must hold {parameters.Values.Length} entries (the parameter layout); got {gradient.Length}.", nameof(gradient));
        }

        Forward(context, parameters, workspace);
        var loss = EvaluationErrors(context, parameters, workspace);
        Backward(context, parameters, workspace, gradient, scale);
        return loss;
    }

    /// <summary>The predictions f*_k = w_o·h^{L+1}_k for the K evaluation points (written to <paramref name="predictions"/>).</summary>
    public static void Predict(
        IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, Span<double> predictions)
    {
        Forward(context, parameters, workspace);
        Readout(context, parameters, workspace, predictions);
    }

    /// <summary>Embeds the tokens (Eq. 3) and runs the L masked attention layers (Eq. 42), keeping every h^ℓ, k, v, q, S.</summary>
    private static void Forward(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workspace);
        workspace.Check(context, parameters);
        Embed(context, parameters, workspace);
        for (var layer = 0; layer < parameters.Depth; layer++)
        {
            AttentionLayer(parameters, workspace, layer);
        }
    }

    /// <summary>
    /// h¹_μ = W_x x_μ + w_y y_μ for labelled tokens and W_x x*_μ for evaluation tokens (Eq. 2–3). Activations are stored
    /// coordinate-major (row i holds coordinate i of all N = P + K tokens, labelled first), so every product is a run of
    /// length-N vector operations.
    /// </summary>
    private static void Embed(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        var d = parameters.Dim;
        var points = context.Points;
        var tokens = workspace.Tokens;
        var inputs = workspace.InputsByCoordinate;
        for (var mu = 0; mu < tokens; mu++)
        {
            var x = mu < points ? context.X.AsSpan(mu * d, d) : context.XStar.AsSpan((mu - points) * d, d);
            for (var j = 0; j < d; j++)
            {
                inputs[j * tokens + mu] = x[j];
            }
        }

        var hidden = workspace.Hidden(0);
        Multiply(parameters.Wx, d, transposed: false, inputs, tokens, tokens, hidden, tokens, accumulate: false);
        var wy = parameters.Wy;
        for (var i = 0; i < parameters.Width; i++)
        {
            var row = hidden.Slice(i * tokens, points);
            TensorPrimitives.MultiplyAdd(context.Y, wy[i], row, row);
        }
    }

    /// <summary>One masked layer of Eq. 42 through S = Σ_ν v_ν k_νᵀ: h^{ℓ+1}_μ = h^ℓ_μ + a_μ S W_q h^ℓ_μ.</summary>
    private static void AttentionLayer(FullAttentionParameters parameters, FullAttentionWorkspace workspace, int layer)
    {
        var r = parameters.Width;
        var points = workspace.Points;
        var tokens = workspace.Tokens;
        var block = parameters.BlockOf(layer);
        var h = workspace.Hidden(layer);
        var next = workspace.Hidden(layer + 1);
        var keys = workspace.Keys(layer);
        var values = workspace.Values(layer);
        var queries = workspace.Queries(layer);
        var s = workspace.S(layer);
        Multiply(parameters.Wk(block), r, transposed: false, h, tokens, points, keys, points, accumulate: false);
        Multiply(parameters.Wv(block), r, transposed: false, h, tokens, points, values, points, accumulate: false);
        s.Clear();
        MultiplyByTranspose(values, points, 0, points, keys, points, s, 1.0);
        Multiply(parameters.Wq(block), r, transposed: false, h, tokens, tokens, queries, tokens, accumulate: false);
        Multiply(s, r, transposed: false, queries, tokens, tokens, next, tokens, accumulate: false);
        var labelled = LabelledMask(parameters.Depth, points);
        for (var i = 0; i < r; i++)
        {
            var row = next.Slice(i * tokens, tokens);
            var input = h.Slice(i * tokens, tokens);
            TensorPrimitives.MultiplyAdd(row[..points], labelled, input[..points], row[..points]);
            TensorPrimitives.MultiplyAdd(row[points..], -labelled, input[points..], row[points..]);
        }
    }

    /// <summary>The mask entry over LP for labelled tokens, M_μν/(LP) = −1/(LP) (Eq. 41–42); evaluation tokens get +1/(LP).</summary>
    private static double LabelledMask(int depth, int points) => -1.0 / (depth * (double)points);

    /// <summary>f*_k = Σ_i (w_o)_i h^{L+1}_{i,k} for the evaluation tokens.</summary>
    private static void Readout(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, Span<double> predictions)
    {
        var top = workspace.Hidden(parameters.Depth);
        var tokens = workspace.Tokens;
        var f = predictions[..context.EvalPoints];
        f.Clear();
        var wo = parameters.Wo;
        for (var i = 0; i < parameters.Width; i++)
        {
            TensorPrimitives.MultiplyAdd(top.Slice(i * tokens + context.Points, context.EvalPoints), wo[i], f, f);
        }
    }

    /// <summary>Stores (2/K)(f*_k − y*_k) and returns ℒ = K⁻¹ Σ (f*_k − y*_k)².</summary>
    private static double EvaluationErrors(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        Span<double> errors = workspace.Errors;
        Readout(context, parameters, workspace, errors);
        TensorPrimitives.Subtract(errors, context.YStar, errors);
        var loss = TensorPrimitives.SumOfSquares<double>(errors) / errors.Length;
        TensorPrimitives.Multiply(errors, 2.0 / errors.Length, errors);
        return loss;
    }

    private static void Backward(
        IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, Span<double> gradient, double scale)
    {
        var r = parameters.Width;
        var d = parameters.Dim;
        var points = context.Points;
        var tokens = workspace.Tokens;
        Span<double> adjoint = workspace.Adjoint;
        ReadOnlySpan<double> errors = workspace.Errors;
        var top = workspace.Hidden(parameters.Depth);
        var gradWo = gradient.Slice(parameters.WoOffset, r);
        var wo = parameters.Wo;
        for (var i = 0; i < r; i++)
        {
            var row = adjoint.Slice(i * tokens, tokens);
            row[..points].Clear();
            TensorPrimitives.Multiply(errors, wo[i], row[points..]);
            gradWo[i] += scale * TensorPrimitives.Dot(top.Slice(i * tokens + points, context.EvalPoints), errors);
        }

        for (var layer = parameters.Depth - 1; layer >= 0; layer--)
        {
            BackwardLayer(parameters, workspace, layer, gradient, scale);
        }

        MultiplyByTranspose(adjoint, tokens, 0, tokens, workspace.InputsByCoordinate, tokens, gradient[..(r * d)], scale);
        var gradWy = gradient.Slice(parameters.WyOffset, r);
        for (var i = 0; i < r; i++)
        {
            gradWy[i] += scale * TensorPrimitives.Dot(adjoint.Slice(i * tokens, points), context.Y);
        }
    }

    /// <summary>The adjoint of one layer (class remarks): accumulates ∂ℒ/∂W_{k,q,v} and maps g' = ∂ℒ/∂h^{ℓ+1} to ∂ℒ/∂h^ℓ in place.</summary>
    private static void BackwardLayer(FullAttentionParameters parameters, FullAttentionWorkspace workspace, int layer, Span<double> gradient, double scale)
    {
        var r = parameters.Width;
        var points = workspace.Points;
        var tokens = workspace.Tokens;
        var eval = tokens - points;
        var block = parameters.BlockOf(layer);
        var offset = parameters.KOffset(block);
        var gradWk = gradient.Slice(offset, r * r);
        var gradWq = gradient.Slice(offset + r * r, r * r);
        var gradWv = gradient.Slice(offset + 2 * r * r, r * r);
        var h = workspace.Hidden(layer);
        var keys = workspace.Keys(layer);
        var values = workspace.Values(layer);
        var queries = workspace.Queries(layer);
        var s = workspace.S(layer);
        Span<double> adjoint = workspace.Adjoint;
        Span<double> sBar = workspace.SBar;
        Span<double> queryAdjoint = workspace.QueryAdjoint;
        Span<double> valueAdjoint = workspace.ValueAdjoint;
        Span<double> keyAdjoint = workspace.KeyAdjoint;
        var labelled = LabelledMask(parameters.Depth, points);

        // Ḡ = Σ_μ a_μ g'_μ q_μᵀ, split into the labelled and evaluation columns.
        sBar.Clear();
        MultiplyByTranspose(adjoint, tokens, 0, points, queries, tokens, sBar, labelled);
        MultiplyByTranspose(adjoint, tokens, points, eval, queries, tokens, sBar, -labelled);

        // r_μ = a_μ Sᵀ g'_μ; ∂ℒ/∂W_q += Σ_μ r_μ h_μᵀ; g_μ = g'_μ + W_qᵀ r_μ.
        Multiply(s, r, transposed: true, adjoint, tokens, tokens, queryAdjoint, tokens, accumulate: false);
        for (var i = 0; i < r; i++)
        {
            var row = queryAdjoint.Slice(i * tokens, tokens);
            TensorPrimitives.Multiply(row[..points], labelled, row[..points]);
            TensorPrimitives.Multiply(row[points..], -labelled, row[points..]);
        }

        MultiplyByTranspose(queryAdjoint, tokens, 0, tokens, h, tokens, gradWq, scale);
        Multiply(parameters.Wq(block), r, transposed: true, queryAdjoint, tokens, tokens, adjoint, tokens, accumulate: true);

        // ∂ℒ/∂v_ν = Ḡ k_ν, ∂ℒ/∂k_ν = Ḡᵀ v_ν for labelled ν, then their weight gradients and input adjoints.
        Multiply(sBar, r, transposed: false, keys, points, points, valueAdjoint, points, accumulate: false);
        Multiply(sBar, r, transposed: true, values, points, points, keyAdjoint, points, accumulate: false);
        MultiplyByTranspose(valueAdjoint, points, 0, points, h, tokens, gradWv, scale);
        MultiplyByTranspose(keyAdjoint, points, 0, points, h, tokens, gradWk, scale);
        Multiply(parameters.Wv(block), r, transposed: true, valueAdjoint, points, points, adjoint, tokens, accumulate: true);
        Multiply(parameters.Wk(block), r, transposed: true, keyAdjoint, points, points, adjoint, tokens, accumulate: true);
    }

    /// <summary>
    /// C[i, 0:cols] (+)= Σ_j M(i, j) B[j, 0:cols] for rows i &lt; R, where M(i, j) = m[i·inner + j] (an R×inner matrix) or,
    /// when <paramref name="transposed"/>, m[j·R + i] (the transpose of a square R×R matrix); B and C rows are strided.
    /// </summary>
    private static void Multiply(
        ReadOnlySpan<double> m,
        int inner,
        bool transposed,
        ReadOnlySpan<double> b,
        int bStride,
        int cols,
        Span<double> c,
        int cStride,
        bool accumulate)
    {
        var rows = m.Length / inner;
        for (var i = 0; i < rows; i++)
        {
            var target = c.Slice(i * cStride, cols);
            if (!accumulate)
            {
                target.Clear();
            }

            for (var j = 0; j < inner; j++)
            {
                var coefficient = transposed ? m[j * rows + i] : m[i * inner + j];
                if (coefficient != 0.0)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(j * bStride, cols), coefficient, target, target);
                }
            }
        }
    }

    /// <summary>
    /// C[i, j] += scale · Σ_{t&lt;count} A[i, start + t] B[j, start + t]: C (+)= scale·A Bᵀ over a column range, with A's and
    /// B's rows strided by <paramref name="aStride"/> and <paramref name="bStride"/>; C has C.Length / rows(A) columns.
    /// </summary>
    private static void MultiplyByTranspose(
        ReadOnlySpan<double> a, int aStride, int start, int count, ReadOnlySpan<double> b, int bStride, Span<double> c, double scale)
    {
        var rows = a.Length / aStride;
        var columns = c.Length / rows;
        for (var i = 0; i < rows; i++)
        {
            var left = a.Slice(i * aStride + start, count);
            var target = c.Slice(i * columns, columns);
            for (var j = 0; j < columns; j++)
            {
                target[j] += scale * TensorPrimitives.Dot(left, b.Slice(j * bStride + start, count));
            }
        }
    }
}

/// <summary>
/// Per-worker scratch for <see cref="FullAttentionModel"/>: every h^ℓ, k, v, q and S of one context, stored
/// coordinate-major (row i holds coordinate i of every token), reused across contexts.
/// </summary>
public sealed class FullAttentionWorkspace
{
    private readonly double[] hidden;
    private readonly double[] keys;
    private readonly double[] values;
    private readonly double[] queries;
    private readonly double[] attention;

    /// <summary>Allocates scratch for contexts of dimension D with P labelled and K evaluation points, and weights of width R and depth L.</summary>
    public FullAttentionWorkspace(int dim, int points, int evalPoints, int width, int depth)
    {
        Dim = Guard.AtLeast(dim, 1, "dim");
        Points = Guard.AtLeast(points, 1, "points");
        EvalPoints = Guard.AtLeast(evalPoints, 1, "evalPoints");
        Width = Guard.AtLeast(width, dim + 1, "width");
        Depth = Guard.AtLeast(depth, 1, "depth");
        var tokens = Tokens;
        hidden = new double[(depth + 1) * tokens * width];
        keys = new double[depth * points * width];
        values = new double[depth * points * width];
        queries = new double[depth * tokens * width];
        attention = new double[depth * width * width];
        InputsByCoordinate = new double[dim * tokens];
        Adjoint = new double[tokens * width];
        QueryAdjoint = new double[tokens * width];
        ValueAdjoint = new double[points * width];
        KeyAdjoint = new double[points * width];
        SBar = new double[width * width];
        Errors = new double[evalPoints];
    }

    /// <summary>Scratch sized for a context and parameters.</summary>
    public static FullAttentionWorkspace For(IRegressionContext context, FullAttentionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        return new FullAttentionWorkspace(context.Dim, context.Points, context.EvalPoints, parameters.Width, parameters.Depth);
    }

    /// <summary>Input dimension D the scratch is shaped for.</summary>
    public int Dim { get; }

    /// <summary>Labelled points P the scratch is shaped for.</summary>
    public int Points { get; }

    /// <summary>Evaluation points K the scratch is shaped for.</summary>
    public int EvalPoints { get; }

    /// <summary>Residual width R the scratch is shaped for.</summary>
    public int Width { get; }

    /// <summary>Depth L the scratch is shaped for.</summary>
    public int Depth { get; }

    internal int Tokens => Points + EvalPoints;

    /// <summary>The inputs x_μ then x*_μ as a D×N coordinate-major matrix.</summary>
    internal double[] InputsByCoordinate { get; }

    internal double[] Adjoint { get; }

    internal double[] QueryAdjoint { get; }

    internal double[] ValueAdjoint { get; }

    internal double[] KeyAdjoint { get; }

    internal double[] SBar { get; }

    internal double[] Errors { get; }

    internal Span<double> Hidden(int layer) => hidden.AsSpan(layer * Tokens * Width, Tokens * Width);

    internal Span<double> Keys(int layer) => keys.AsSpan(layer * Points * Width, Points * Width);

    internal Span<double> Values(int layer) => values.AsSpan(layer * Points * Width, Points * Width);

    internal Span<double> Queries(int layer) => queries.AsSpan(layer * Tokens * Width, Tokens * Width);

    internal Span<double> S(int layer) => attention.AsSpan(layer * Width * Width, Width * Width);

    internal void Check(IRegressionContext context, FullAttentionParameters parameters)
    {
        if (context.Dim != parameters.Dim)
        {
            throw new ArgumentException($"The context has D={context.Dim} but the parameters D={parameters.Dim}.", nameof(context));
        }

        if (context.Dim != Dim || context.Points != Points || context.EvalPoints != EvalPoints || parameters.Width != Width || parameters.Depth != Depth)
        {
            throw new ArgumentException(
                $"The workspace was built for D={Dim}, P={Points}, K={EvalPoints}, R={Width}, L={Depth}; " +
                $"got D={context.Dim}, P={context.Points}, K={context.EvalPoints}, R={parameters.Width}, L={parameters.Depth}.",
                nameof(context));
        }
    }
}

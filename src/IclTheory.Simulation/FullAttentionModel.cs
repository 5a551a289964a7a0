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
        var top = workspace.Hidden(parameters.Depth);
        var r = parameters.Width;
        for (var k = 0; k < context.EvalPoints; k++)
        {
            predictions[k] = TensorPrimitives.Dot(top.Slice((context.Points + k) * r, r), parameters.Wo);
        }
    }

    /// <summary>Embeds the tokens (Eq. 3) and runs the L masked attention layers (Eq. 42), keeping every h^ℓ, k, v, q, S.</summary>
    private static void Forward(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(workspace);
        workspace.Check(context, parameters);
        Embed(context, parameters, workspace.Hidden(0));
        for (var layer = 0; layer < parameters.Depth; layer++)
        {
            AttentionLayer(context, parameters, workspace, layer);
        }
    }

    /// <summary>h¹_μ = W_x x_μ + w_y y_μ for labelled tokens and W_x x*_μ for evaluation tokens (Eq. 2–3).</summary>
    private static void Embed(IRegressionContext context, FullAttentionParameters parameters, Span<double> hidden)
    {
        var r = parameters.Width;
        var d = parameters.Dim;
        for (var mu = 0; mu < context.Points + context.EvalPoints; mu++)
        {
            var x = mu < context.Points ? context.X.AsSpan(mu * d, d) : context.XStar.AsSpan((mu - context.Points) * d, d);
            var h = hidden.Slice(mu * r, r);
            MatVec(parameters.Wx, x, h);
            if (mu < context.Points)
            {
                TensorPrimitives.MultiplyAdd(parameters.Wy, context.Y[mu], h, h);
            }
        }
    }

    /// <summary>One masked layer of Eq. 42 through S = Σ_ν v_ν k_νᵀ: h^{ℓ+1}_μ = h^ℓ_μ + a_μ S W_q h^ℓ_μ.</summary>
    private static void AttentionLayer(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, int layer)
    {
        var r = parameters.Width;
        var block = parameters.BlockOf(layer);
        var wk = parameters.Wk(block);
        var wq = parameters.Wq(block);
        var wv = parameters.Wv(block);
        var h = workspace.Hidden(layer);
        var next = workspace.Hidden(layer + 1);
        var keys = workspace.Keys(layer);
        var values = workspace.Values(layer);
        var queries = workspace.Queries(layer);
        var s = workspace.S(layer);
        s.Clear();
        for (var nu = 0; nu < context.Points; nu++)
        {
            var hNu = h.Slice(nu * r, r);
            var k = keys.Slice(nu * r, r);
            var v = values.Slice(nu * r, r);
            MatVec(wk, hNu, k);
            MatVec(wv, hNu, v);
            AddOuter(s, v, k, 1.0);
        }

        var labelled = -1.0 / (parameters.Depth * (double)context.Points);
        var tokens = context.Points + context.EvalPoints;
        for (var mu = 0; mu < tokens; mu++)
        {
            var hMu = h.Slice(mu * r, r);
            var q = queries.Slice(mu * r, r);
            var updated = next.Slice(mu * r, r);
            MatVec(wq, hMu, q);
            MatVec(s, q, updated);
            var a = mu < context.Points ? labelled : -labelled;
            TensorPrimitives.MultiplyAdd(updated, a, hMu, updated);
        }
    }

    /// <summary>Stores (2/K)(f*_k − y*_k) and returns ℒ = K⁻¹ Σ (f*_k − y*_k)².</summary>
    private static double EvaluationErrors(IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace)
    {
        var top = workspace.Hidden(parameters.Depth);
        var r = parameters.Width;
        var eval = context.EvalPoints;
        var errors = workspace.Errors;
        var sum = 0.0;
        for (var k = 0; k < eval; k++)
        {
            var e = TensorPrimitives.Dot(top.Slice((context.Points + k) * r, r), parameters.Wo) - context.YStar[k];
            sum += e * e;
            errors[k] = 2.0 * e / eval;
        }

        return sum / eval;
    }

    private static void Backward(
        IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, Span<double> gradient, double scale)
    {
        var r = parameters.Width;
        var d = parameters.Dim;
        var points = context.Points;
        var tokens = points + context.EvalPoints;
        Span<double> adjoint = workspace.Adjoint;
        adjoint.Clear();
        var top = workspace.Hidden(parameters.Depth);
        var gradWo = gradient.Slice(parameters.WoOffset, r);
        for (var k = 0; k < context.EvalPoints; k++)
        {
            var mu = points + k;
            var error = workspace.Errors[k];
            TensorPrimitives.Multiply(parameters.Wo, error, adjoint.Slice(mu * r, r));
            TensorPrimitives.MultiplyAdd(top.Slice(mu * r, r), scale * error, gradWo, gradWo);
        }

        for (var layer = parameters.Depth - 1; layer >= 0; layer--)
        {
            BackwardLayer(context, parameters, workspace, layer, gradient, scale);
        }

        var gradWx = gradient[..(r * d)];
        var gradWy = gradient.Slice(parameters.WyOffset, r);
        for (var mu = 0; mu < tokens; mu++)
        {
            var x = mu < points ? context.X.AsSpan(mu * d, d) : context.XStar.AsSpan((mu - points) * d, d);
            var g = adjoint.Slice(mu * r, r);
            AddOuter(gradWx, g, x, scale);
            if (mu < points)
            {
                TensorPrimitives.MultiplyAdd(g, scale * context.Y[mu], gradWy, gradWy);
            }
        }
    }

    /// <summary>The adjoint of one layer (class remarks): accumulates ∂ℒ/∂W_{k,q,v} and maps g' = ∂ℒ/∂h^{ℓ+1} to ∂ℒ/∂h^ℓ in place.</summary>
    private static void BackwardLayer(
        IRegressionContext context, FullAttentionParameters parameters, FullAttentionWorkspace workspace, int layer, Span<double> gradient, double scale)
    {
        var r = parameters.Width;
        var points = context.Points;
        var tokens = points + context.EvalPoints;
        var block = parameters.BlockOf(layer);
        var offset = parameters.KOffset(block);
        var gradWk = gradient.Slice(offset, r * r);
        var gradWq = gradient.Slice(offset + r * r, r * r);
        var gradWv = gradient.Slice(offset + 2 * r * r, r * r);
        var wk = parameters.Wk(block);
        var wq = parameters.Wq(block);
        var wv = parameters.Wv(block);
        var h = workspace.Hidden(layer);
        var keys = workspace.Keys(layer);
        var values = workspace.Values(layer);
        var queries = workspace.Queries(layer);
        var s = workspace.S(layer);
        Span<double> adjoint = workspace.Adjoint;
        Span<double> sBar = workspace.SBar;
        Span<double> u = workspace.WidthScratch;
        Span<double> z = workspace.WidthScratch2;
        var labelled = -1.0 / (parameters.Depth * (double)points);

        sBar.Clear();
        for (var mu = 0; mu < tokens; mu++)
        {
            var a = mu < points ? labelled : -labelled;
            AddOuter(sBar, adjoint.Slice(mu * r, r), queries.Slice(mu * r, r), a);
        }

        for (var mu = 0; mu < tokens; mu++)
        {
            var a = mu < points ? labelled : -labelled;
            var g = adjoint.Slice(mu * r, r);
            MatTransposeVec(s, g, u);
            TensorPrimitives.Multiply(u, a, u);
            AddOuter(gradWq, u, h.Slice(mu * r, r), scale);
            AddMatTransposeVec(wq, u, g);
        }

        for (var nu = 0; nu < points; nu++)
        {
            var hNu = h.Slice(nu * r, r);
            var g = adjoint.Slice(nu * r, r);
            MatVec(sBar, keys.Slice(nu * r, r), u);
            MatTransposeVec(sBar, values.Slice(nu * r, r), z);
            AddOuter(gradWv, u, hNu, scale);
            AddOuter(gradWk, z, hNu, scale);
            AddMatTransposeVec(wv, u, g);
            AddMatTransposeVec(wk, z, g);
        }
    }

    /// <summary>y = M x for a row-major matrix with x.Length columns.</summary>
    private static void MatVec(ReadOnlySpan<double> matrix, ReadOnlySpan<double> x, Span<double> y)
    {
        var columns = x.Length;
        for (var i = 0; i < y.Length; i++)
        {
            y[i] = TensorPrimitives.Dot(matrix.Slice(i * columns, columns), x);
        }
    }

    /// <summary>y = Mᵀ x for a row-major matrix with y.Length columns.</summary>
    private static void MatTransposeVec(ReadOnlySpan<double> matrix, ReadOnlySpan<double> x, Span<double> y)
    {
        y.Clear();
        AddMatTransposeVec(matrix, x, y);
    }

    /// <summary>y += Mᵀ x for a row-major matrix with y.Length columns.</summary>
    private static void AddMatTransposeVec(ReadOnlySpan<double> matrix, ReadOnlySpan<double> x, Span<double> y)
    {
        var columns = y.Length;
        for (var i = 0; i < x.Length; i++)
        {
            TensorPrimitives.MultiplyAdd(matrix.Slice(i * columns, columns), x[i], y, y);
        }
    }

    /// <summary>M += scale · a bᵀ for a row-major matrix with b.Length columns.</summary>
    private static void AddOuter(Span<double> matrix, ReadOnlySpan<double> a, ReadOnlySpan<double> b, double scale)
    {
        var columns = b.Length;
        for (var i = 0; i < a.Length; i++)
        {
            var row = matrix.Slice(i * columns, columns);
            TensorPrimitives.MultiplyAdd(b, scale * a[i], row, row);
        }
    }
}

/// <summary>Per-worker scratch for <see cref="FullAttentionModel"/>: every h^ℓ, k, v, q and S of one context, reused across contexts.</summary>
public sealed class FullAttentionWorkspace
{
    private readonly double[] hidden;
    private readonly double[] keys;
    private readonly double[] values;
    private readonly double[] queries;
    private readonly double[] attention;

    /// <summary>Allocates scratch for contexts of P labelled and K evaluation points and weights of width R and depth L.</summary>
    public FullAttentionWorkspace(int points, int evalPoints, int width, int depth)
    {
        Points = Guard.AtLeast(points, 1, "points");
        EvalPoints = Guard.AtLeast(evalPoints, 1, "evalPoints");
        Width = Guard.AtLeast(width, 2, "width");
        Depth = Guard.AtLeast(depth, 1, "depth");
        var tokens = points + evalPoints;
        hidden = new double[(depth + 1) * tokens * width];
        keys = new double[depth * points * width];
        values = new double[depth * points * width];
        queries = new double[depth * tokens * width];
        attention = new double[depth * width * width];
        Adjoint = new double[tokens * width];
        SBar = new double[width * width];
        WidthScratch = new double[width];
        WidthScratch2 = new double[width];
        Errors = new double[evalPoints];
    }

    /// <summary>Scratch sized for a context and parameters.</summary>
    public static FullAttentionWorkspace For(IRegressionContext context, FullAttentionParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(parameters);
        return new FullAttentionWorkspace(context.Points, context.EvalPoints, parameters.Width, parameters.Depth);
    }

    /// <summary>Labelled points P the scratch is shaped for.</summary>
    public int Points { get; }

    /// <summary>Evaluation points K the scratch is shaped for.</summary>
    public int EvalPoints { get; }

    /// <summary>Residual width R the scratch is shaped for.</summary>
    public int Width { get; }

    /// <summary>Depth L the scratch is shaped for.</summary>
    public int Depth { get; }

    internal double[] Adjoint { get; }

    internal double[] SBar { get; }

    internal double[] WidthScratch { get; }

    internal double[] WidthScratch2 { get; }

    internal double[] Errors { get; }

    private int Tokens => Points + EvalPoints;

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

        if (context.Points != Points || context.EvalPoints != EvalPoints || parameters.Width != Width || parameters.Depth != Depth)
        {
            throw new ArgumentException(
                $"The workspace was built for P={Points}, K={EvalPoints}, R={Width}, L={Depth}; " +
                $"got P={context.Points}, K={context.EvalPoints}, R={parameters.Width}, L={parameters.Depth}.",
                nameof(context));
        }
    }
}

using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// One draw of M = B̃ Σ̂ (Eq. 106) and the exact loss (1/D) tr[Ω p(M)ᵀ Λ p(M)] (Eq. 102) of every (L, g) from it.
/// <para>
/// Factor B̃ = G₀G₀ᵀ with G₀ ∈ ℝ^{D×N}: for the rank projection G₀ = U, the first N columns of a Haar matrix
/// (Householder QR of a D×N standard normal matrix with r_ii &gt; 0, Mezzadri 2007); for the Gaussian map
/// G₀ = AᵀR with AAᵀ = RRᵀ (Cholesky), since AᵀRRᵀA = (AᵀA)². Then M^k = G₀ K^{k−1} G₀ᵀ Σ̂ with
/// K = G₀ᵀ Σ̂ G₀ = V diag(θ) Vᵀ, so with G = G₀V and Y = Gᵀ Σ̂ every polynomial with p(0) = 1 reads
/// p(M) = I + G diag(q(θ)) Y, q(θ) = (p(θ) − 1)/θ, and
/// D·ℓ = Tr ΩΛ + 2 Σ_j q_j d_j + Σ_{j,l} q_j q_l E_{jl}, d_j = (Y Ω Λ G)_{jj}, E = (GᵀΛG) ∘ (Y Ω Yᵀ).
/// θ, d and E are computed once per draw (O(NPD + N²D + N³)); each (L, g) then costs O(N²).
/// </para>
/// Buffers are reused and every one is overwritten before it is read, so a workspace may serve any sample.
/// </summary>
internal sealed class TwoPointSample
{
    /// <summary>The step key of the per-sample child streams (purpose <see cref="StreamPurpose.Auxiliary"/>, index = sample).</summary>
    public const long StreamStep = 2;

    private readonly int dim;
    private readonly int width;
    private readonly int context;
    private readonly WidthProjection projection;
    private readonly double[] lambda;
    private readonly double[] omega;
    private readonly double[] sqrtLambda;
    private readonly double traceOmegaLambda;

    private readonly double[] projectionRows;
    private readonly double[] factorRows;
    private readonly HaarOrthogonal frame;
    private readonly double[] gram;
    private readonly double[] x;
    private readonly double[] w;
    private readonly double[] y0;
    private readonly double[] k;
    private readonly double[] vt;
    private readonly double[] g;
    private readonly double[] y;
    private readonly double[] gLambda;
    private readonly double[] yOmega;
    private readonly double[] d;
    private readonly double[] e;
    private readonly double[] q;
    private readonly SymmetricTridiagonalEigen eigen;

    /// <summary>Allocates the workspace for validated options (context 0 stands for P → ∞).</summary>
    public TwoPointSample(int dim, int width, int context, WidthProjection projection, double[] lambda, double[] omega)
    {
        this.dim = dim;
        this.width = width;
        this.context = context;
        this.projection = projection;
        this.lambda = lambda;
        this.omega = omega;
        sqrtLambda = new double[dim];
        TensorPrimitives.Sqrt<double>(lambda, sqrtLambda);
        traceOmegaLambda = TensorPrimitives.Dot<double>(omega, lambda);
        projectionRows = new double[width * dim];
        factorRows = new double[width * dim];
        frame = new HaarOrthogonal(dim, width);
        gram = new double[width * width];
        x = new double[context * dim];
        w = new double[width * context];
        y0 = new double[width * dim];
        k = new double[width * width];
        vt = new double[width * width];
        Theta = new double[width];
        g = new double[width * dim];
        y = new double[width * dim];
        gLambda = new double[width * dim];
        yOmega = new double[width * dim];
        d = new double[width];
        e = new double[width * width];
        q = new double[width];
        eigen = new SymmetricTridiagonalEigen(width);
    }

    /// <summary>The eigenvalues θ of K = G₀ᵀ Σ̂ G₀, i.e. the non-zero spectrum of M, after <see cref="Reduce"/>.</summary>
    public double[] Theta { get; }

    /// <summary>
    /// The raw width map of the last draw, N×D row-major: Uᵀ (rank; G₀ = U) or A (Gaussian). Used by the direct
    /// reference evaluator, which builds B̃ from it without the factorisation.
    /// </summary>
    public ReadOnlySpan<double> ProjectionRows => projection == WidthProjection.Rank ? factorRows : projectionRows;

    /// <summary>The context rows x_μ ~ N(0, Λ) of the last draw, P×D row-major (empty for P → ∞).</summary>
    public ReadOnlySpan<double> ContextRows => x;

    /// <summary>Draws sample <paramref name="index"/> of <paramref name="seed"/>: first the width map, then the P context rows.</summary>
    public void Draw(ulong seed, int index)
    {
        var rng = Xoshiro256StarStar.ForCell(seed, StreamPurpose.Auxiliary, StreamStep, index);
        if (projection == WidthProjection.Rank)
        {
            DrawHaarFrame(ref rng);
        }
        else
        {
            DrawGaussianFactor(ref rng);
        }

        rng.FillNormal(x);
        for (var mu = 0; mu < context; mu++)
        {
            var row = x.AsSpan(mu * dim, dim);
            TensorPrimitives.Multiply<double>(row, sqrtLambda, row);
        }
    }

    /// <summary>
    /// G₀ᵀ = Uᵀ: the first N columns of a Haar rotation (<see cref="HaarOrthogonal"/>, a Haar point of the Stiefel
    /// manifold), one per row.
    /// </summary>
    private void DrawHaarFrame(ref Xoshiro256StarStar rng) => frame.Sample(ref rng, factorRows);

    /// <summary>
    /// A with iid N(0, 1/D) entries, C = AAᵀ = RRᵀ (Cholesky, R lower), G₀ᵀ = RᵀA: row j is Σ_{i ≥ j} R_ij a_i.
    /// Then G₀G₀ᵀ = AᵀCA = (AᵀA)².
    /// </summary>
    private void DrawGaussianFactor(ref Xoshiro256StarStar rng)
    {
        var a = projectionRows;
        rng.FillNormal(a);
        TensorPrimitives.Multiply(a, 1.0 / Math.Sqrt(dim), a);
        for (var i = 0; i < width; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                gram[i * width + j] = TensorPrimitives.Dot<double>(a.AsSpan(i * dim, dim), a.AsSpan(j * dim, dim));
            }
        }

        CholeskyInPlace(gram, width);
        Array.Clear(factorRows);
        for (var j = 0; j < width; j++)
        {
            var row = factorRows.AsSpan(j * dim, dim);
            for (var i = j; i < width; i++)
            {
                TensorPrimitives.MultiplyAdd(a.AsSpan(i * dim, dim), gram[i * width + j], row, row);
            }
        }
    }

    /// <summary>
    /// The lower Cholesky factor R of the symmetric positive-definite n×n row-major C (lower triangle read and
    /// overwritten): R_jj = √(C_jj − Σ_{k&lt;j} R_jk²), R_ij = (C_ij − Σ_{k&lt;j} R_ik R_jk)/R_jj.
    /// </summary>
    /// <exception cref="InvalidOperationException">A pivot is not positive (C numerically singular).</exception>
    internal static void CholeskyInPlace(Span<double> c, int n)
    {
        for (var j = 0; j < n; j++)
        {
            var rowJ = c.Slice(j * n, j);
            var pivot = c[j * n + j] - TensorPrimitives.SumOfSquares<double>(rowJ);
            if (!(pivot > 0.0))
            {
                throw new InvalidOperationException(
                    $"Cholesky of AAᵀ failed at pivot {j} of {n} (value {pivot:G4}): the Gaussian width map is numerically rank deficient.");
            }

            var rjj = Math.Sqrt(pivot);
            c[j * n + j] = rjj;
            for (var i = j + 1; i < n; i++)
            {
                c[i * n + j] = (c[i * n + j] - TensorPrimitives.Dot<double>(c.Slice(i * n, j), rowJ)) / rjj;
            }
        }
    }

    /// <summary>
    /// θ, d and E of the last draw: Y₀ = G₀ᵀ Σ̂ (= (1/P)(XG₀)ᵀX, or G₀ᵀΛ for P → ∞), K = Y₀G₀ = VΘVᵀ,
    /// Gᵀ = VᵀG₀ᵀ, Y = VᵀY₀, then d_j = Σ_k Y_jk ω_k λ_k G_kj and E_jl = (Σ_k G_kj λ_k G_kl)(Σ_k Y_jk ω_k Y_lk).
    /// </summary>
    public void Reduce()
    {
        ComputeY0();
        for (var i = 0; i < width; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                k[i * width + j] = TensorPrimitives.Dot<double>(y0.AsSpan(i * dim, dim), factorRows.AsSpan(j * dim, dim));
            }
        }

        eigen.Decompose(k, Theta, vt);
        RotateRows(vt, factorRows, g);
        RotateRows(vt, y0, y);
        for (var j = 0; j < width; j++)
        {
            TensorPrimitives.Multiply<double>(g.AsSpan(j * dim, dim), lambda, gLambda.AsSpan(j * dim, dim));
            TensorPrimitives.Multiply<double>(y.AsSpan(j * dim, dim), omega, yOmega.AsSpan(j * dim, dim));
            d[j] = TensorPrimitives.Dot<double>(yOmega.AsSpan(j * dim, dim), gLambda.AsSpan(j * dim, dim));
        }

        for (var j = 0; j < width; j++)
        {
            for (var l = 0; l <= j; l++)
            {
                var gLg = TensorPrimitives.Dot<double>(g.AsSpan(j * dim, dim), gLambda.AsSpan(l * dim, dim));
                var yOy = TensorPrimitives.Dot<double>(y.AsSpan(j * dim, dim), yOmega.AsSpan(l * dim, dim));
                e[j * width + l] = gLg * yOy;
                e[l * width + j] = gLg * yOy;
            }
        }
    }

    /// <summary>Y₀ = G₀ᵀ Σ̂: with W = X G₀ (kept as Wᵀ, N×P), row j of Y₀ is (1/P) Σ_μ W_μj x_μ; for P → ∞, G₀ᵀΛ.</summary>
    private void ComputeY0()
    {
        if (context == 0)
        {
            for (var j = 0; j < width; j++)
            {
                TensorPrimitives.Multiply<double>(factorRows.AsSpan(j * dim, dim), lambda, y0.AsSpan(j * dim, dim));
            }

            return;
        }

        for (var j = 0; j < width; j++)
        {
            var factor = factorRows.AsSpan(j * dim, dim);
            for (var mu = 0; mu < context; mu++)
            {
                w[j * context + mu] = TensorPrimitives.Dot<double>(factor, x.AsSpan(mu * dim, dim)) / context;
            }
        }

        Array.Clear(y0);
        for (var mu = 0; mu < context; mu++)
        {
            var row = x.AsSpan(mu * dim, dim);
            for (var j = 0; j < width; j++)
            {
                var target = y0.AsSpan(j * dim, dim);
                TensorPrimitives.MultiplyAdd(row, w[j * context + mu], target, target);
            }
        }
    }

    /// <summary>destination = Vᵀ · source for N×N Vᵀ and N×D source (row-major): row m is Σ_j Vᵀ_mj source_j.</summary>
    private void RotateRows(double[] rotation, double[] source, double[] destination)
    {
        Array.Clear(destination);
        for (var m = 0; m < width; m++)
        {
            var target = destination.AsSpan(m * dim, dim);
            for (var j = 0; j < width; j++)
            {
                TensorPrimitives.MultiplyAdd(source.AsSpan(j * dim, dim), rotation[m * width + j], target, target);
            }
        }
    }

    /// <summary>
    /// The exact loss (1/D) tr[Ω p(M)ᵀ Λ p(M)] of the last reduced draw for p(M) = (I − gM)^L, i.e. depth L and γ = gL
    /// (Eq. 102 with p(M) = I + G diag(q) Y).
    /// </summary>
    /// <exception cref="InvalidOperationException">The loss overflows (|1 − gθ|^L beyond the double range).</exception>
    public double Loss(int depth, double gammaOverDepth)
    {
        for (var j = 0; j < width; j++)
        {
            q[j] = DividedDifference(Theta[j], depth, gammaOverDepth);
        }

        var total = traceOmegaLambda + 2.0 * TensorPrimitives.Dot<double>(q, d);
        for (var j = 0; j < width; j++)
        {
            total += q[j] * TensorPrimitives.Dot<double>(e.AsSpan(j * width, width), q);
        }

        var loss = total / dim;
        return double.IsFinite(loss)
            ? loss
            : throw new InvalidOperationException(
                $"The loss overflowed at depth L = {depth}, γ/L = {gammaOverDepth}: |1 − γθ/L|^L exceeds the double range (largest θ = {Theta[^1]:G6}).");
    }

    /// <summary>
    /// q(θ) = (p(θ) − 1)/θ for p(θ) = (1 − gθ)^L, equal to −g Σ_{j&lt;L} (1 − gθ)^j. With x = gθ &lt; 1 it is evaluated as
    /// g·expm1(L·log1p(−x))/x, which has no cancellation as θ → 0 (limit −gL); for x ≥ 1 directly.
    /// </summary>
    internal static double DividedDifference(double theta, int depth, double gammaOverDepth)
    {
        var x = gammaOverDepth * theta;
        if (x == 0.0)
        {
            return -gammaOverDepth * depth;
        }

        return x < 1.0
            ? gammaOverDepth * ExpM1(depth * LogOnePlus(-x)) / x
            : gammaOverDepth * (Math.Pow(1.0 - x, depth) - 1.0) / x;
    }

    /// <summary>log(1 + u) without cancellation for small u: log(v)·u/(v − 1) with v = 1 + u rounded (Goldberg 1991, Thm. 4).</summary>
    private static double LogOnePlus(double u)
    {
        var v = 1.0 + u;
        return v == 1.0 ? u : Math.Log(v) * u / (v - 1.0);
    }

    /// <summary>eᵘ − 1 without cancellation for small u: (v − 1)·u/log(v) with v = eᵘ rounded (Kahan's trick).</summary>
    private static double ExpM1(double u)
    {
        var v = Math.Exp(u);
        if (v == 1.0)
        {
            return u;
        }

        var vm1 = v - 1.0;
        return vm1 == -1.0 ? -1.0 : vm1 * u / Math.Log(v);
    }
}

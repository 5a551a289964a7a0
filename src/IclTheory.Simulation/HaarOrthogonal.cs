using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// Haar-random orthogonal matrices O ∈ O(D) (the rotations O_c of Eq. 12), or their first N columns (a Haar point of
/// the Stiefel manifold: the frame U of a rank-N projection UUᵀ, Eq. 107), drawn from a Gaussian stream by Householder
/// QR of a D×N standard normal matrix A = QR with the sign fix O = Q diag(sign R_kk), which makes the diagonal of R
/// positive and the factor unique, hence invariant under A ↦ UA and Haar (Mezzadri 2007). Buffers are reused, so
/// sampling allocates nothing.
/// </summary>
public sealed class HaarOrthogonal
{
    private readonly double[] columns;
    private readonly double[] tau;
    private readonly double[] signs;

    /// <summary>Allocates scratch for D×D rotations.</summary>
    /// <param name="dim">Dimension D ≥ 1.</param>
    public HaarOrthogonal(int dim)
        : this(dim, Guard.AtLeast(dim, 1, "dim"))
    {
    }

    /// <summary>Allocates scratch for the first <paramref name="width"/> columns of D×D rotations.</summary>
    /// <param name="dim">Dimension D ≥ 1.</param>
    /// <param name="width">Columns N in [1, D] ("width").</param>
    public HaarOrthogonal(int dim, int width)
    {
        Dim = Guard.AtLeast(dim, 1, "dim");
        Width = width >= 1 && width <= dim
            ? width
            : throw new ArgumentOutOfRangeException(nameof(width), width, $"width must be an integer in [1, D = {dim}]; got {width}.");
        columns = new double[width * dim];
        tau = new double[width];
        signs = new double[width];
    }

    /// <summary>Dimension D.</summary>
    public int Dim { get; }

    /// <summary>Columns N of each sample (N = D for a full rotation).</summary>
    public int Width { get; }

    /// <summary>
    /// Writes a Haar-distributed orthogonal matrix (N×D row-major; D×D for a full rotation) to
    /// <paramref name="destination"/>, consuming N·D normals from <paramref name="rng"/>. Row j of the output is
    /// column j of Q diag(sign R_kk); for N = D the output is thus the transpose of the Haar factor, which is Haar as
    /// well (the measure is invariant under inversion).
    /// </summary>
    public void Sample(ref Xoshiro256StarStar rng, Span<double> destination) => Sample(ref rng, destination, signFix: true);

    /// <summary>The sampler with the sign fix optionally left out (tests show that the result is then not Haar).</summary>
    internal void Sample(ref Xoshiro256StarStar rng, Span<double> destination, bool signFix)
    {
        var dim = Dim;
        if (destination.Length != Width * dim)
        {
            throw new ArgumentException($"destination must hold N×D = {Width * dim} entries; got {destination.Length}.", nameof(destination));
        }

        rng.FillNormal(columns);
        Factorize();
        AccumulateQ(destination);
        if (signFix)
        {
            for (var j = 0; j < Width; j++)
            {
                var row = destination.Slice(j * dim, dim);
                TensorPrimitives.Multiply(row, signs[j], row);
            }
        }
    }

    /// <summary>
    /// Householder QR of the D×N matrix A, whose column k is the contiguous row k of the buffer: reflector k is
    /// H_k = I − τ_k v_k v_kᵀ on coordinates k..D−1 with v_k = a_k − R_kk e_k and R_kk = −sign(a_kk)‖a_k‖
    /// (no cancellation); v_k overwrites a_k[k..], and sign R_kk is kept for the sign fix.
    /// </summary>
    private void Factorize()
    {
        var dim = Dim;
        for (var k = 0; k < Width; k++)
        {
            var v = columns.AsSpan(k * dim + k, dim - k);
            var norm = Math.Sqrt(TensorPrimitives.SumOfSquares<double>(v));
            var diagonal = v[0] >= 0.0 ? -norm : norm;
            signs[k] = diagonal < 0.0 ? -1.0 : 1.0;
            v[0] -= diagonal;
            var squaredLength = TensorPrimitives.SumOfSquares<double>(v);
            tau[k] = squaredLength > 0.0 ? 2.0 / squaredLength : 0.0;
            for (var j = k + 1; j < Width; j++)
            {
                var column = columns.AsSpan(j * dim + k, dim - k);
                TensorPrimitives.MultiplyAdd(v, -tau[k] * TensorPrimitives.Dot<double>(v, column), column, column);
            }
        }
    }

    /// <summary>
    /// The first N columns of Q = H_0 H_1 ⋯ H_{N−1} by backward accumulation from e_0..e_{N−1} (column j of Q in
    /// row j of <paramref name="q"/>); after reflectors N−1..k+1, columns j ≤ k are still e_j, so H_k touches only j ≥ k.
    /// </summary>
    private void AccumulateQ(Span<double> q)
    {
        var dim = Dim;
        q.Clear();
        for (var j = 0; j < Width; j++)
        {
            q[j * dim + j] = 1.0;
        }

        for (var k = Width - 1; k >= 0; k--)
        {
            var v = columns.AsSpan(k * dim + k, dim - k);
            for (var j = k; j < Width; j++)
            {
                var column = q.Slice(j * dim + k, dim - k);
                TensorPrimitives.MultiplyAdd(v, -tau[k] * TensorPrimitives.Dot<double>(v, column), column, column);
            }
        }
    }
}

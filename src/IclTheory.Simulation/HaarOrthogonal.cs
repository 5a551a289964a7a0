using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// Haar-random orthogonal matrices O ∈ O(D) (the rotations O_c of Eq. 12), drawn from a Gaussian stream by
/// Householder QR of a D×D standard normal matrix A = QR with the sign fix O = Q diag(sign R_kk), which makes the
/// diagonal of R positive and the factor unique, hence invariant under A ↦ UA and Haar (Mezzadri 2007).
/// Buffers are reused, so sampling allocates nothing.
/// </summary>
public sealed class HaarOrthogonal
{
    private readonly double[] columns;
    private readonly double[] tau;
    private readonly double[] signs;

    /// <summary>Allocates scratch for D×D rotations.</summary>
    /// <param name="dim">Dimension D ≥ 1.</param>
    public HaarOrthogonal(int dim)
    {
        Dim = Guard.AtLeast(dim, 1, "dim");
        columns = new double[dim * dim];
        tau = new double[dim];
        signs = new double[dim];
    }

    /// <summary>Dimension D.</summary>
    public int Dim { get; }

    /// <summary>
    /// Writes a Haar-distributed orthogonal matrix (D×D row-major) to <paramref name="destination"/>, consuming D²
    /// normals from <paramref name="rng"/>. Row j of the output is column j of Q diag(sign R_kk); the output is thus
    /// the transpose of the Haar factor, which is Haar as well (the measure is invariant under inversion).
    /// </summary>
    public void Sample(ref Xoshiro256StarStar rng, Span<double> destination) => Sample(ref rng, destination, signFix: true);

    /// <summary>The sampler with the sign fix optionally left out (tests show that the result is then not Haar).</summary>
    internal void Sample(ref Xoshiro256StarStar rng, Span<double> destination, bool signFix)
    {
        var dim = Dim;
        if (destination.Length != dim * dim)
        {
            throw new ArgumentException($"destination must hold D×D = {dim * dim} entries; got {destination.Length}.", nameof(destination));
        }

        rng.FillNormal(columns);
        Factorize();
        AccumulateQ(destination);
        if (signFix)
        {
            for (var j = 0; j < dim; j++)
            {
                var row = destination.Slice(j * dim, dim);
                TensorPrimitives.Multiply(row, signs[j], row);
            }
        }
    }

    /// <summary>
    /// Householder QR of A, whose column k is the contiguous row k of the buffer: reflector k is
    /// H_k = I − τ_k v_k v_kᵀ on coordinates k..D−1 with v_k = a_k − R_kk e_k and R_kk = −sign(a_kk)‖a_k‖
    /// (no cancellation); v_k overwrites a_k[k..], and sign R_kk is kept for the sign fix.
    /// </summary>
    private void Factorize()
    {
        var dim = Dim;
        for (var k = 0; k < dim; k++)
        {
            var v = columns.AsSpan(k * dim + k, dim - k);
            var norm = Math.Sqrt(TensorPrimitives.SumOfSquares<double>(v));
            var diagonal = v[0] >= 0.0 ? -norm : norm;
            signs[k] = diagonal < 0.0 ? -1.0 : 1.0;
            v[0] -= diagonal;
            var squaredLength = TensorPrimitives.SumOfSquares<double>(v);
            tau[k] = squaredLength > 0.0 ? 2.0 / squaredLength : 0.0;
            for (var j = k + 1; j < dim; j++)
            {
                var column = columns.AsSpan(j * dim + k, dim - k);
                TensorPrimitives.MultiplyAdd(v, -tau[k] * TensorPrimitives.Dot<double>(v, column), column, column);
            }
        }
    }

    /// <summary>
    /// Q = H_0 H_1 ⋯ H_{D−1} by backward accumulation from Q = I (column j of Q in row j of
    /// <paramref name="q"/>); after reflectors D−1..k+1, columns j ≤ k are still e_j, so H_k touches only j ≥ k.
    /// </summary>
    private void AccumulateQ(Span<double> q)
    {
        var dim = Dim;
        q.Clear();
        for (var j = 0; j < dim; j++)
        {
            q[j * dim + j] = 1.0;
        }

        for (var k = dim - 1; k >= 0; k--)
        {
            var v = columns.AsSpan(k * dim + k, dim - k);
            for (var j = k; j < dim; j++)
            {
                var column = q.Slice(j * dim + k, dim - k);
                TensorPrimitives.MultiplyAdd(v, -tau[k] * TensorPrimitives.Dot<double>(v, column), column, column);
            }
        }
    }
}

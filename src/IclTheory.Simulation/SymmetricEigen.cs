namespace IclTheory.Simulation;

/// <summary>Eigenvalues of a real symmetric matrix by the cyclic Jacobi method (Golub and Van Loan, §8.5).</summary>
public static class SymmetricEigen
{
    /// <summary>Sweeps after which the method is declared not to have converged (quadratic convergence needs about 10).</summary>
    public const int MaxSweeps = 100;

    /// <summary>
    /// The eigenvalues, in descending order, of the symmetric D×D row-major matrix <paramref name="matrix"/>
    /// (only its symmetric part (A + Aᵀ)/2 is used). Each sweep zeroes every off-diagonal pair once with the rotation
    /// t = sign(θ)/(|θ| + √(θ² + 1)), θ = (a_qq − a_pp)/(2a_pq); iteration stops when the off-diagonal Frobenius mass
    /// falls below 10⁻²⁶ of the total (off-diagonal norm ≤ 10⁻¹³‖A‖_F).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong length or non-finite entries.</exception>
    /// <exception cref="InvalidOperationException">No convergence within <see cref="MaxSweeps"/> sweeps.</exception>
    public static double[] Eigenvalues(ReadOnlySpan<double> matrix, int dim)
    {
        Guard.AtLeast(dim, 1, "dim");
        if (matrix.Length != dim * dim)
        {
            throw new ArgumentException($"matrix must hold D×D = {dim * dim} entries; got {matrix.Length}.", nameof(matrix));
        }

        var a = SymmetricPart(matrix, dim);
        var total = FrobeniusSquared(a);
        if (!double.IsFinite(total))
        {
            throw new ArgumentException("matrix must have finite entries.", nameof(matrix));
        }

        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            if (OffDiagonalSquared(a, dim) <= 1e-26 * total)
            {
                return SortedDiagonal(a, dim);
            }

            for (var p = 0; p < dim - 1; p++)
            {
                for (var q = p + 1; q < dim; q++)
                {
                    Rotate(a, dim, p, q);
                }
            }
        }

        throw new InvalidOperationException(
            $"The Jacobi eigenvalue iteration did not converge in {MaxSweeps} sweeps (D = {dim}); off-diagonal mass {OffDiagonalSquared(a, dim):G3} of {total:G3}.");
    }

    /// <summary>One Jacobi rotation in the (p, q) plane that annihilates a_pq (Numerical Recipes Eq. 11.1.16–18).</summary>
    private static void Rotate(double[] a, int dim, int p, int q)
    {
        var apq = a[p * dim + q];
        if (apq == 0.0)
        {
            return;
        }

        var theta = (a[q * dim + q] - a[p * dim + p]) / (2.0 * apq);
        var t = theta switch
        {
            0.0 => 1.0,
            > 1e150 or < -1e150 => 0.5 / theta,
            _ => Math.Sign(theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1.0)),
        };

        var c = 1.0 / Math.Sqrt(t * t + 1.0);
        var s = t * c;
        a[p * dim + p] -= t * apq;
        a[q * dim + q] += t * apq;
        a[p * dim + q] = 0.0;
        a[q * dim + p] = 0.0;
        for (var r = 0; r < dim; r++)
        {
            if (r == p || r == q)
            {
                continue;
            }

            var arp = a[r * dim + p];
            var arq = a[r * dim + q];
            var newRp = c * arp - s * arq;
            var newRq = s * arp + c * arq;
            a[r * dim + p] = newRp;
            a[p * dim + r] = newRp;
            a[r * dim + q] = newRq;
            a[q * dim + r] = newRq;
        }
    }

    private static double[] SymmetricPart(ReadOnlySpan<double> matrix, int dim)
    {
        var a = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                a[i * dim + j] = 0.5 * (matrix[i * dim + j] + matrix[j * dim + i]);
            }
        }

        return a;
    }

    private static double FrobeniusSquared(double[] a)
    {
        var sum = 0.0;
        foreach (var v in a)
        {
            sum += v * v;
        }

        return sum;
    }

    private static double OffDiagonalSquared(double[] a, int dim)
    {
        var sum = 0.0;
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                sum += i == j ? 0.0 : a[i * dim + j] * a[i * dim + j];
            }
        }

        return sum;
    }

    private static double[] SortedDiagonal(double[] a, int dim)
    {
        var values = new double[dim];
        for (var i = 0; i < dim; i++)
        {
            values[i] = a[i * dim + i];
        }

        Array.Sort(values);
        Array.Reverse(values);
        return values;
    }
}

using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>Summaries of a learned Γ (D×D row-major) that the theory predicts.</summary>
public static class GammaStatistics
{
    /// <summary>γ̄ = tr Γ / D, the scalar of Γ(t) = γ(t) I (Result 1, Eq. 6).</summary>
    public static double GammaBar(ReadOnlySpan<double> gamma, int dim)
    {
        var trace = 0.0;
        for (var i = 0; i < dim; i++)
        {
            trace += gamma[i * dim + i];
        }

        return trace / dim;
    }

    /// <summary>
    /// The diagonal (Γ_kk): the eigenvalues γ_k of Result 4 (Eq. 10) when Γ is diagonal in the eigenbasis of Λ and Ω,
    /// which for FS is the standard basis.
    /// </summary>
    public static double[] Diagonal(ReadOnlySpan<double> gamma, int dim)
    {
        var diagonal = new double[dim];
        for (var i = 0; i < dim; i++)
        {
            diagonal[i] = gamma[i * dim + i];
        }

        return diagonal;
    }

    /// <summary>Eigenvalues of the symmetric part (Γ + Γᵀ)/2 in descending order (Jacobi, <see cref="SymmetricEigen"/>).</summary>
    public static double[] SymmetricEigenvalues(ReadOnlySpan<double> gamma, int dim) => SymmetricEigen.Eigenvalues(gamma, dim);

    /// <summary>‖Γ − γ̄I‖_F / ‖Γ‖_F: zero when Γ is a multiple of the identity (and when Γ = 0).</summary>
    public static double Anisotropy(ReadOnlySpan<double> gamma, int dim)
    {
        var total = TensorPrimitives.SumOfSquares(gamma);
        if (total == 0.0)
        {
            return 0.0;
        }

        var gammaBar = GammaBar(gamma, dim);
        var deviation = total;
        for (var i = 0; i < dim; i++)
        {
            var diagonal = gamma[i * dim + i];
            deviation += (diagonal - gammaBar) * (diagonal - gammaBar) - diagonal * diagonal;
        }

        return Math.Sqrt(Math.Max(deviation, 0.0) / total);
    }

    /// <summary>(1/D)‖Γ − I‖_F², the quantity Result 10 (Eq. 64, Eq. 78) prints as the ICL loss.</summary>
    public static double DistanceToIdentity(ReadOnlySpan<double> gamma, int dim)
    {
        var total = TensorPrimitives.SumOfSquares(gamma);
        for (var i = 0; i < dim; i++)
        {
            var diagonal = gamma[i * dim + i];
            total += (diagonal - 1.0) * (diagonal - 1.0) - diagonal * diagonal;
        }

        return Math.Max(total, 0.0) / dim;
    }

    /// <summary>Copies a row-major D×D span to a rectangular array.</summary>
    public static double[,] ToMatrix(ReadOnlySpan<double> gamma, int dim)
    {
        var matrix = new double[dim, dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                matrix[i, j] = gamma[i * dim + j];
            }
        }

        return matrix;
    }

    /// <summary>Copies a D×D rectangular array to row-major storage, refusing other shapes and non-finite entries.</summary>
    public static double[] FromMatrix(double[,] gamma, int dim)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        if (gamma.GetLength(0) != dim || gamma.GetLength(1) != dim)
        {
            throw new ArgumentException(
                $"gamma must be D×D = {dim}×{dim}; got {gamma.GetLength(0)}×{gamma.GetLength(1)}.", nameof(gamma));
        }

        var flat = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                flat[i * dim + j] = gamma[i, j];
            }
        }

        if (!TensorPrimitives.IsFiniteAll<double>(flat))
        {
            throw new ArgumentException("gamma must have finite entries.", nameof(gamma));
        }

        return flat;
    }

    /// <summary>γI as row-major D×D storage.</summary>
    public static double[] ScaledIdentity(double gamma, int dim)
    {
        var flat = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            flat[i * dim + i] = gamma;
        }

        return flat;
    }
}

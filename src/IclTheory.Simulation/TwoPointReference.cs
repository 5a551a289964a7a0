namespace IclTheory.Simulation;

/// <summary>
/// The direct (slow) evaluation of the loss of one draw, for tests of the fast formula in <see cref="TwoPointSample"/>:
/// builds B̃ from the raw width map (UUᵀ, or (AᵀA)² by two products), Σ̂ = XᵀX/P (or Λ), M = B̃Σ̂, p(M) = (I − gM)^L
/// by L matrix products, and (1/D) tr[Ω p(M)ᵀ Λ p(M)] (Eq. 102). O(LD³).
/// </summary>
internal static class TwoPointReference
{
    /// <summary>The loss of the draw held by <paramref name="sample"/> at depth L and γ = gL.</summary>
    public static double Loss(
        TwoPointSample sample, WidthProjection projection, int dim, int width, int context, double[] lambda, double[] omega, int depth, double gammaOverDepth)
    {
        var m = Multiply(RotatedWidthMatrix(sample.ProjectionRows, projection, dim, width), EmpiricalCovariance(sample.ContextRows, dim, context, lambda), dim);
        var step = Identity(dim);
        for (var i = 0; i < dim * dim; i++)
        {
            step[i] -= gammaOverDepth * m[i];
        }

        var p = Identity(dim);
        for (var l = 0; l < depth; l++)
        {
            p = Multiply(p, step, dim);
        }

        var total = 0.0;
        for (var i = 0; i < dim; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                total += omega[i] * lambda[k] * p[k * dim + i] * p[k * dim + i];
            }
        }

        return total / dim;
    }

    /// <summary>B̃ = RᵀR for the rank map (rows R = Uᵀ), or (AᵀA)(AᵀA) for the Gaussian map (rows R = A).</summary>
    public static double[] RotatedWidthMatrix(ReadOnlySpan<double> rows, WidthProjection projection, int dim, int width)
    {
        var gram = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var sum = 0.0;
                for (var n = 0; n < width; n++)
                {
                    sum += rows[n * dim + i] * rows[n * dim + j];
                }

                gram[i * dim + j] = sum;
            }
        }

        return projection == WidthProjection.Rank ? gram : Multiply(gram, gram, dim);
    }

    /// <summary>Σ̂ = XᵀX/P from the context rows, or Λ for P → ∞ (context 0).</summary>
    public static double[] EmpiricalCovariance(ReadOnlySpan<double> rows, int dim, int context, double[] lambda)
    {
        var sigma = new double[dim * dim];
        if (context == 0)
        {
            for (var i = 0; i < dim; i++)
            {
                sigma[i * dim + i] = lambda[i];
            }

            return sigma;
        }

        for (var i = 0; i < dim; i++)
        {
            for (var j = 0; j < dim; j++)
            {
                var sum = 0.0;
                for (var mu = 0; mu < context; mu++)
                {
                    sum += rows[mu * dim + i] * rows[mu * dim + j];
                }

                sigma[i * dim + j] = sum / context;
            }
        }

        return sigma;
    }

    private static double[] Identity(int dim)
    {
        var identity = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            identity[i * dim + i] = 1.0;
        }

        return identity;
    }

    private static double[] Multiply(double[] a, double[] b, int dim)
    {
        var c = new double[dim * dim];
        for (var i = 0; i < dim; i++)
        {
            for (var k = 0; k < dim; k++)
            {
                var aik = a[i * dim + k];
                for (var j = 0; j < dim; j++)
                {
                    c[i * dim + j] += aik * b[k * dim + j];
                }
            }
        }

        return c;
    }
}

namespace IclTheory.Simulation;

/// <summary>
/// Eigenvalue spectra of the input covariance Λ (λ_k) and the task covariance Ω (ω_k) for the FS and RRS settings,
/// in the Simulation's own code (independent of the theory Solver).
/// </summary>
public static class Spectrum
{
    /// <summary>Power-law input spectrum λ_k = k^(−ν), k = 1..D, not normalized (Eq. 88).</summary>
    /// <param name="dim">Dimension D ≥ 1.</param>
    /// <param name="nu">Capacity exponent ν, finite and &gt; 0 ("nu").</param>
    public static double[] PowerLawLambda(int dim, double nu)
    {
        Guard.AtLeast(dim, 1, "dim");
        Guard.PositiveFinite(nu, "nu");
        var lambda = new double[dim];
        for (var k = 1; k <= dim; k++)
        {
            lambda[k - 1] = Math.Pow(k, -nu);
        }

        return lambda;
    }

    /// <summary>Power-law task spectrum ω_k = k^(−νβ−1)/λ_k, so that ω_kλ_k = k^(−νβ−1) (source condition, Eq. 88).</summary>
    /// <param name="dim">Dimension D ≥ 1.</param>
    /// <param name="nu">Capacity exponent ν, finite and &gt; 0 ("nu").</param>
    /// <param name="beta">Source exponent β, finite and &gt; 0 ("beta").</param>
    public static double[] PowerLawOmega(int dim, double nu, double beta)
    {
        var lambda = PowerLawLambda(dim, nu);
        Guard.PositiveFinite(beta, "beta");
        var omega = new double[dim];
        for (var k = 1; k <= dim; k++)
        {
            omega[k - 1] = Math.Pow(k, -nu * beta - 1.0) / lambda[k - 1];
        }

        return omega;
    }

    /// <summary>A copy of a user spectrum after checking it has length D and positive, finite entries.</summary>
    /// <param name="values">The eigenvalues.</param>
    /// <param name="dim">The required length D.</param>
    /// <param name="paramName">The parameter name to report ("lambda" or "omega").</param>
    public static double[] Validated(IReadOnlyList<double> values, int dim, string paramName)
    {
        ArgumentNullException.ThrowIfNull(values, paramName);
        if (values.Count != dim)
        {
            throw new ArgumentException($"{paramName} must hold D = {dim} eigenvalues; got {values.Count}.", paramName);
        }

        var copy = new double[dim];
        for (var k = 0; k < dim; k++)
        {
            var value = values[k];
            if (!double.IsFinite(value) || value <= 0.0)
            {
                throw new ArgumentOutOfRangeException(paramName, value, $"{paramName}[{k}] must be finite and > 0; got {value}.");
            }

            copy[k] = value;
        }

        return copy;
    }
}

namespace IclTheory.Simulation;

/// <summary>
/// The isotropic ICL regression task (ISO, Eq. 5): x ~ N(0, I_D), β ~ N(0, I_D) per context,
/// y = β·x/√D + σε. Each context holds P = <see cref="Context"/> labelled points and
/// K = <see cref="Eval"/> evaluation points whose (noisy) targets y* are scored.
/// </summary>
/// <param name="Dim">Input dimension D ≥ 1 (parameter name "dim").</param>
/// <param name="Context">Labelled points per context P ≥ 1 (α = P/D, parameter name "alpha").</param>
/// <param name="Eval">Evaluation points per context K ≥ 1 (κ = K/D, parameter name "kappa").</param>
/// <param name="Sigma2">Label-noise variance σ² ≥ 0 (parameter name "sigma2").</param>
public sealed record IsoTask(int Dim, int Context, int Eval, double Sigma2) : IRegressionTask
{
    /// <summary>Input dimension D.</summary>
    public int Dim { get; init => field = Guard.AtLeast(value, 1, "dim"); } = Guard.AtLeast(Dim, 1, "dim");

    /// <summary>Labelled points per context P.</summary>
    public int Context { get; init => field = Guard.AtLeast(value, 1, "alpha"); } = Guard.AtLeast(Context, 1, "alpha");

    /// <summary>Evaluation points per context K.</summary>
    public int Eval { get; init => field = Guard.AtLeast(value, 1, "kappa"); } = Guard.AtLeast(Eval, 1, "kappa");

    /// <summary>Label-noise variance σ².</summary>
    public double Sigma2 { get; init => field = Guard.NonNegativeFinite(value, "sigma2"); } = Guard.NonNegativeFinite(Sigma2, "sigma2");

    /// <summary>Context-length ratio α = P/D (Eq. 61).</summary>
    public double Alpha => (double)Context / Dim;

    /// <summary>Evaluation-points ratio κ = K/D (Eq. 63).</summary>
    public double Kappa => (double)Eval / Dim;

    /// <summary>E y*² = 1 + σ² (Eq. 5: Σ = Ω = I, so (1/D) tr ΩΣ = 1).</summary>
    public double NullLoss => 1.0 + Sigma2;

    /// <inheritdoc/>
    public IRegressionContext CreateContext() => new IsoContext(this);

    /// <summary>Builds the task from ratios: P = round(αD), K = round(κD), each at least 1.</summary>
    public static IsoTask FromRatios(int dim, double alpha, double kappa, double sigma2)
    {
        Guard.AtLeast(dim, 1, "dim");
        Guard.PositiveFinite(alpha, "alpha");
        Guard.PositiveFinite(kappa, "kappa");
        return new IsoTask(dim, RoundCount(alpha * dim), RoundCount(kappa * dim), sigma2);
    }

    internal static int RoundCount(double value) =>
        value < int.MaxValue
            ? Math.Max(1, (int)Math.Round(value, MidpointRounding.AwayFromZero))
            : throw new ArgumentOutOfRangeException(nameof(value), value, "A ratio times dim must be below 2^31.");
}

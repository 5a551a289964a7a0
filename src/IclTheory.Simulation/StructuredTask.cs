namespace IclTheory.Simulation;

/// <summary>How the structured covariances are presented across contexts.</summary>
public enum CovarianceSetting
{
    /// <summary>FS (Section 3.2): Σ = Λ and Ω fixed and diagonal in the standard basis for every context.</summary>
    Fixed,

    /// <summary>RRS (Eq. 12): Σ_c = O_c Λ O_cᵀ and Ω_c = O_c Ω O_cᵀ with a fresh Haar rotation O_c per context.</summary>
    RandomRotation,
}

/// <summary>
/// The structured ICL regression task: x = O Λ^{1/2} z, β = O Ω^{1/2} g (z, g standard normal; O = I for FS,
/// Haar per context for RRS), y = β·x/√D + σε (the 1/√D of Eq. 5). Each context holds P labelled and K
/// evaluation points, as in <see cref="IsoTask"/>.
/// </summary>
public sealed class StructuredTask : IRegressionTask
{
    private readonly double[] lambda;
    private readonly double[] omega;

    /// <summary>Builds the task from counts and explicit spectra.</summary>
    /// <param name="dim">Input dimension D ≥ 1 ("dim").</param>
    /// <param name="context">Labelled points per context P ≥ 1 ("alpha").</param>
    /// <param name="eval">Evaluation points per context K ≥ 1 ("kappa").</param>
    /// <param name="sigma2">Label-noise variance σ² ≥ 0 ("sigma2").</param>
    /// <param name="lambda">Eigenvalues λ_k of Λ: D positive finite values ("lambda").</param>
    /// <param name="omega">Eigenvalues ω_k of Ω: D positive finite values ("omega").</param>
    /// <param name="setting">FS (<see cref="CovarianceSetting.Fixed"/>) or RRS (<see cref="CovarianceSetting.RandomRotation"/>).</param>
    public StructuredTask(
        int dim, int context, int eval, double sigma2, IReadOnlyList<double> lambda, IReadOnlyList<double> omega, CovarianceSetting setting)
    {
        Dim = Guard.AtLeast(dim, 1, "dim");
        Context = Guard.AtLeast(context, 1, "alpha");
        Eval = Guard.AtLeast(eval, 1, "kappa");
        Sigma2 = Guard.NonNegativeFinite(sigma2, "sigma2");
        this.lambda = Spectrum.Validated(lambda, dim, "lambda");
        this.omega = Spectrum.Validated(omega, dim, "omega");
        Setting = Enum.IsDefined(setting)
            ? setting
            : throw new ArgumentOutOfRangeException(nameof(setting), setting, "setting must be Fixed (FS) or RandomRotation (RRS).");
        Lambda = Array.AsReadOnly(this.lambda);
        Omega = Array.AsReadOnly(this.omega);
        NullLoss = SignalPower(this.lambda, this.omega) + Sigma2;
    }

    /// <summary>Builds the task from ratios (P = round(αD), K = round(κD), each ≥ 1) and explicit spectra.</summary>
    public static StructuredTask FromRatios(
        int dim, double alpha, double kappa, double sigma2, IReadOnlyList<double> lambda, IReadOnlyList<double> omega, CovarianceSetting setting)
    {
        Guard.AtLeast(dim, 1, "dim");
        Guard.PositiveFinite(alpha, "alpha");
        Guard.PositiveFinite(kappa, "kappa");
        return new StructuredTask(dim, IsoTask.RoundCount(alpha * dim), IsoTask.RoundCount(kappa * dim), sigma2, lambda, omega, setting);
    }

    /// <summary>
    /// Builds the task from ratios with the power-law spectra λ_k = k^(−ν), ω_k = k^(−νβ−1)/λ_k (Eq. 88;
    /// <see cref="Spectrum.PowerLawLambda"/>, <see cref="Spectrum.PowerLawOmega"/>).
    /// </summary>
    public static StructuredTask PowerLaw(
        int dim, double alpha, double kappa, double sigma2, double nu, double beta, CovarianceSetting setting) =>
        FromRatios(dim, alpha, kappa, sigma2, Spectrum.PowerLawLambda(dim, nu), Spectrum.PowerLawOmega(dim, nu, beta), setting);

    /// <inheritdoc/>
    public int Dim { get; }

    /// <inheritdoc/>
    public int Context { get; }

    /// <inheritdoc/>
    public int Eval { get; }

    /// <inheritdoc/>
    public double Sigma2 { get; }

    /// <summary>FS or RRS.</summary>
    public CovarianceSetting Setting { get; }

    /// <summary>Eigenvalues λ_k of the input covariance Λ (Σ = Λ for FS).</summary>
    public IReadOnlyList<double> Lambda { get; }

    /// <summary>Eigenvalues ω_k of the task covariance Ω.</summary>
    public IReadOnlyList<double> Omega { get; }

    /// <summary>Context-length ratio α = P/D.</summary>
    public double Alpha => (double)Context / Dim;

    /// <summary>Evaluation-points ratio κ = K/D.</summary>
    public double Kappa => (double)Eval / Dim;

    /// <summary>E y*² = (1/D) Σ_k ω_kλ_k + σ² (Eq. 57 at β^L = 0; the rotation O_c leaves tr ΩΛ unchanged).</summary>
    public double NullLoss { get; }

    /// <inheritdoc/>
    public IRegressionContext CreateContext() => new StructuredContext(this);

    internal ReadOnlySpan<double> LambdaSpan => lambda;

    internal ReadOnlySpan<double> OmegaSpan => omega;

    /// <summary>(1/D) Σ_k ω_kλ_k = (1/D) tr ΩΛ, the signal part of E y².</summary>
    private static double SignalPower(double[] lambda, double[] omega)
    {
        var sum = 0.0;
        for (var k = 0; k < lambda.Length; k++)
        {
            sum += omega[k] * lambda[k];
        }

        return sum / lambda.Length;
    }
}

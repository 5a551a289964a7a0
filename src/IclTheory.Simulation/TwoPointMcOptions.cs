namespace IclTheory.Simulation;

/// <summary>
/// A finite-size Monte-Carlo of the width/context/depth loss of Section 4 (Result 7, Eqs. 102 and 106):
/// ℒ(γ; N, L, P) = E (1/D) tr[Ω p(M)ᵀ Λ p(M)], p(M) = (I − γM/L)^L, M = B̃ Σ̂, over a grid of depths L and scales
/// γ = g·L (g = γ/L is the per-layer step).
/// </summary>
/// <param name="Dim">Input dimension D ≥ 1 ("dim").</param>
/// <param name="Width">Width N, 1 ≤ N ≤ D ("width").</param>
/// <param name="Context">Context length P ≥ 1 ("context"), or null for P → ∞ (Σ̂ = Λ exactly, no sampling).</param>
/// <param name="Lambda">Input covariance eigenvalues λ_k, D positive finite values ("lambda").</param>
/// <param name="Omega">Task covariance eigenvalues ω_k, D positive finite values ("omega").</param>
/// <param name="Projection">The width map: a rank-N projection or a Gaussian A ("projection").</param>
/// <param name="Depths">Depths L ≥ 1, at least one ("depths").</param>
/// <param name="GammaOverDepth">Per-layer steps g = γ/L, finite and ≥ 0, at least one ("gamma-over-depth").</param>
/// <param name="Samples">Independent draws of (O or A, X), ≥ 2 ("samples").</param>
/// <param name="Seed">Master seed; sample s draws from its own child stream, so results do not depend on the thread count.</param>
/// <param name="MaxDegreeOfParallelism">Thread limit (−1: no limit) ("threads").</param>
public sealed record TwoPointMcOptions(
    int Dim,
    int Width,
    int? Context,
    double[] Lambda,
    double[] Omega,
    WidthProjection Projection,
    int[] Depths,
    double[] GammaOverDepth,
    int Samples,
    ulong Seed,
    int MaxDegreeOfParallelism = -1)
{
    /// <summary>
    /// Checks every field and the relations between them; throws an <see cref="ArgumentException"/> naming the parameter
    /// and its allowed range. <see cref="TwoPointMonteCarlo.Run"/> calls it first.
    /// </summary>
    public void Validate()
    {
        Guard.AtLeast(Dim, 1, "dim");
        if (Width < 1 || Width > Dim)
        {
            throw new ArgumentOutOfRangeException("width", Width, $"width must be an integer in [1, dim = {Dim}]; got {Width}.");
        }

        if (Context is { } context)
        {
            Guard.AtLeast(context, 1, "context");
        }

        Spectrum.Validated(Lambda, Dim, "lambda");
        Spectrum.Validated(Omega, Dim, "omega");
        if (!Enum.IsDefined(Projection))
        {
            throw new ArgumentOutOfRangeException("projection", Projection, $"projection must be Rank or Gaussian; got {Projection}.");
        }

        ValidateDepths(Depths);
        ValidateGammaOverDepth(GammaOverDepth);
        Guard.AtLeast(Samples, 2, "samples");
        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(
                "threads", MaxDegreeOfParallelism, $"threads must be −1 (no limit) or ≥ 1; got {MaxDegreeOfParallelism}.");
        }
    }

    private static void ValidateDepths(int[]? depths)
    {
        if (depths is null || depths.Length == 0)
        {
            throw new ArgumentException("depths must hold at least one depth L ≥ 1.", "depths");
        }

        foreach (var depth in depths)
        {
            Guard.AtLeast(depth, 1, "depths");
        }
    }

    private static void ValidateGammaOverDepth(double[]? steps)
    {
        if (steps is null || steps.Length == 0)
        {
            throw new ArgumentException("gamma-over-depth must hold at least one value g = γ/L ≥ 0.", "gamma-over-depth");
        }

        foreach (var g in steps)
        {
            Guard.NonNegativeFinite(g, "gamma-over-depth");
        }
    }
}

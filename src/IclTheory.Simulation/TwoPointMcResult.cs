namespace IclTheory.Simulation;

/// <summary>The Monte-Carlo loss at one grid point (L, γ = g·L).</summary>
/// <param name="Depth">Depth L.</param>
/// <param name="GammaOverDepth">Per-layer step g = γ/L.</param>
/// <param name="Gamma">Scale γ = g·L.</param>
/// <param name="Loss">Sample mean of (1/D) tr[Ω p(M)ᵀ Λ p(M)] (Eq. 102).</param>
/// <param name="StandardError">Standard error of the mean, s/√n.</param>
/// <param name="Samples">Number of samples n.</param>
public sealed record TwoPointMcPoint(int Depth, double GammaOverDepth, double Gamma, double Loss, double StandardError, int Samples);

/// <summary>
/// The grid of Monte-Carlo losses, depth-major (for each depth, every g in the order given). All points share the same
/// samples, so their errors are correlated across the grid.
/// </summary>
/// <param name="Dim">Input dimension D.</param>
/// <param name="Width">Width N.</param>
/// <param name="Context">Context length P, or null for P → ∞.</param>
/// <param name="Projection">The width map.</param>
/// <param name="Points">One point per (L, g).</param>
public sealed record TwoPointMcResult(int Dim, int Width, int? Context, WidthProjection Projection, IReadOnlyList<TwoPointMcPoint> Points)
{
    /// <summary>The point at depth <paramref name="depth"/> and the <paramref name="gammaIndex"/>-th g of the options.</summary>
    public TwoPointMcPoint At(int depth, int gammaIndex)
    {
        var matches = Points.Where(point => point.Depth == depth).ToArray();
        if (matches.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, $"depth {depth} is not on the grid.");
        }

        return gammaIndex >= 0 && gammaIndex < matches.Length
            ? matches[gammaIndex]
            : throw new ArgumentOutOfRangeException(nameof(gammaIndex), gammaIndex, $"gammaIndex must lie in [0, {matches.Length - 1}]; got {gammaIndex}.");
    }
}

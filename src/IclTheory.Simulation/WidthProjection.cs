namespace IclTheory.Simulation;

/// <summary>
/// The width map A ∈ ℝ^{N×D} of Section 4 (Eq. 14), through which the model sees features x̃ = Ax; it enters the
/// loss only through B = (AᵀA)², rotated as B̃ = O B Oᵀ (Eq. 106).
/// </summary>
public enum WidthProjection
{
    /// <summary>
    /// AᵀA a rank-N orthogonal projection (Eq. 107); after the Haar rotation, B̃ = U Uᵀ with U the first N columns of
    /// a Haar matrix ("rank").
    /// </summary>
    Rank,

    /// <summary>A with iid N(0, 1/D) entries and B = (AᵀA)² ("gaussian"); its law is already rotation invariant, so O is omitted.</summary>
    Gaussian,
}

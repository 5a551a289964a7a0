namespace IclTheory.Simulation;

/// <summary>
/// A task seen through the frozen rank-N feature map of Section 4: the model gets x̃ = A x with A = [I_N 0] ∈ R^{N×D}
/// (the first N coordinates of the input, after the RRS rotation for a rotated <see cref="StructuredTask"/>) for the
/// labelled and the evaluation points, while the labels y = β·x/√D + σε still come from the full D-dimensional x
/// (Eq. 5, Eq. 14). <see cref="Dim"/> is the model's dimension N, so <see cref="ReducedGammaModel"/>,
/// <see cref="ReducedGammaTrainer"/> and <see cref="ReducedGammaEvaluator"/> train and evaluate an N×N Γ unchanged.
/// </summary>
/// <remarks>
/// <para>
/// Forward pass. On the features, b̃ = X̃y/P = A b and Σ̂̃ = A Σ̂ Aᵀ (b, Σ̂ of the D-dimensional context, Eq. 54).
/// Then w_D^ℓ = Aᵀ w̃^ℓ obeys w_D^{ℓ+1} = w_D^ℓ + L⁻¹ AᵀΓA (b − Σ̂ w_D^ℓ) and f* = x̃*ᵀw̃^L = x*ᵀw_D^L: the projected
/// model is the D-dimensional reduced-Γ model with Γ_D = AᵀΓA, with no scale factor (<see cref="Lift"/>).
/// Its error vector is β/√D − w_D^L = (I − L⁻¹ AᵀΓA Σ̂)^L β/√D, so with Γ = γ AAᵀ = γ I_N (Eq. 14) and, in the frame
/// rotated back by O_c, M = O_cᵀ AᵀA O_c Σ̂_Λ (the law of O (AᵀA)² Oᵀ Σ̂ of Eq. 106, as (AᵀA)² = AᵀA, Eq. 107)
/// the expected test loss is ℒ(γ) = tr Ω p(M)ᵀ Λ p(M) + σ²-terms with p(M) = (I − γM/L)^L and the normalised trace
/// (1/D)Tr (Eq. 102). The scalar of the theory is therefore γ = tr Γ / N = <see cref="TrainPoint.GammaBar"/>
/// (<see cref="TheoryGamma"/>).
/// </para>
/// <para>
/// Time. The trainer's step is Γ ← Γ − η (N/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ, the Eq. 62 convention with the model's dimension N.
/// RRS makes the mean gradient at γI_N a multiple of I_N (a rotation of the first N coordinates leaves the task's law
/// unchanged), and N times that multiple is dℒ/dγ, so dγ/dt = −(1/2) dℒ/dγ: the convention of Eq. 13, in which
/// dγ/dt at γ = 0 is α_N tr Λ²Ω (α_N = N/D, since E[O_cᵀ AᵀA O_c] = α_N I). Training the lifted Γ_D with the
/// D-dimensional factor D/2 instead would run the clock α_N times faster (t_D = α_N t).
/// </para>
/// </remarks>
public sealed class ProjectedTask : IRegressionTask
{
    /// <summary>Wraps <paramref name="inner"/> behind the rank projection onto its first <paramref name="width"/> coordinates.</summary>
    /// <param name="inner">The D-dimensional task (RRS <see cref="StructuredTask"/> for Section 4; any task is accepted).</param>
    /// <param name="width">Width N in [1, D] ("width").</param>
    public ProjectedTask(IRegressionTask inner, int width)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        Width = width >= 1 && width <= inner.Dim
            ? width
            : throw new ArgumentOutOfRangeException(nameof(width), width, $"width must be an integer in [1, D = {inner.Dim}]; got {width}.");
    }

    /// <summary>The D-dimensional task whose contexts are projected.</summary>
    public IRegressionTask Inner { get; }

    /// <summary>Width N, the number of features the model sees.</summary>
    public int Width { get; }

    /// <summary>Input dimension D of the underlying task (the 1/√D of the labels and of ℒ's normalised trace).</summary>
    public int InputDim => Inner.Dim;

    /// <summary>Width ratio α_N = N/D (Eq. 108).</summary>
    public double AlphaN => (double)Width / InputDim;

    /// <summary>The model's dimension: the width N (Γ is N×N).</summary>
    public int Dim => Width;

    /// <inheritdoc/>
    public int Context => Inner.Context;

    /// <inheritdoc/>
    public int Eval => Inner.Eval;

    /// <summary>Context-length ratio α_P = P/D of the underlying task (Eq. 108–110), not P/N.</summary>
    public double Alpha => Inner.Alpha;

    /// <summary>Evaluation-points ratio κ = K/D of the underlying task.</summary>
    public double Kappa => Inner.Kappa;

    /// <inheritdoc/>
    public double Sigma2 => Inner.Sigma2;

    /// <summary>E y*² of the underlying task: the labels are unchanged by the projection.</summary>
    public double NullLoss => Inner.NullLoss;

    /// <inheritdoc/>
    public IRegressionContext CreateContext() => new ProjectedContext(this);

    /// <summary>
    /// The theory's scalar γ of Γ = γ AAᵀ (Eq. 14) for an N×N Γ: the least-squares fit tr(Γ AAᵀ)/tr((AAᵀ)²) = tr Γ / N,
    /// since AAᵀ = I_N for the rank projection (Eq. 107). It is <see cref="TrainPoint.GammaBar"/> of a projected run;
    /// note that tr Γ_D / D of the lifted Γ_D is α_N γ instead.
    /// </summary>
    public static double TheoryGamma(double[,] gamma)
    {
        var width = SquareSize(gamma);
        return GammaStatistics.GammaBar(GammaStatistics.FromMatrix(gamma, width), width);
    }

    /// <summary>
    /// The D×D matrix Γ_D = AᵀΓA of the D-dimensional reduced-Γ model with the same predictions (Γ in the top-left
    /// N×N block, zeros elsewhere; see the remarks on the forward pass).
    /// </summary>
    /// <param name="gamma">Γ, N×N with N = <see cref="Width"/>.</param>
    public double[,] Lift(double[,] gamma)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        if (SquareSize(gamma) != Width)
        {
            throw new ArgumentException($"gamma must be N×N with N = {Width}; got {gamma.GetLength(0)}×{gamma.GetLength(1)}.", nameof(gamma));
        }

        var lifted = new double[InputDim, InputDim];
        for (var i = 0; i < Width; i++)
        {
            for (var j = 0; j < Width; j++)
            {
                lifted[i, j] = gamma[i, j];
            }
        }

        return lifted;
    }

    /// <summary>The side of a square matrix; refuses a non-square or empty one.</summary>
    private static int SquareSize(double[,] gamma)
    {
        ArgumentNullException.ThrowIfNull(gamma);
        var rows = gamma.GetLength(0);
        return rows >= 1 && rows == gamma.GetLength(1)
            ? rows
            : throw new ArgumentException($"gamma must be a non-empty square matrix; got {rows}×{gamma.GetLength(1)}.", nameof(gamma));
    }
}

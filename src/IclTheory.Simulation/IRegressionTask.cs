namespace IclTheory.Simulation;

/// <summary>
/// A distribution of in-context regression contexts (ISO, FS or RRS): the shapes D, P, K, the label noise σ²,
/// the loss at Γ = 0 and a factory for context buffers. Models, evaluators and trainers see tasks only
/// through this interface.
/// </summary>
public interface IRegressionTask
{
    /// <summary>Input dimension D.</summary>
    int Dim { get; }

    /// <summary>Labelled points per context P.</summary>
    int Context { get; }

    /// <summary>Evaluation points per context K.</summary>
    int Eval { get; }

    /// <summary>Context-length ratio α = P/D (Eq. 61).</summary>
    double Alpha { get; }

    /// <summary>Evaluation-points ratio κ = K/D (Eq. 63).</summary>
    double Kappa { get; }

    /// <summary>Label-noise variance σ².</summary>
    double Sigma2 { get; }

    /// <summary>
    /// Expected test loss at Γ = 0 (the predictor f* = 0), E y*² = (1/D) tr(ΩΣ) + σ² (Eq. 57 with β^L = 0);
    /// the scale against which divergence is judged.
    /// </summary>
    double NullLoss { get; }

    /// <summary>Allocates buffers for one context of this task.</summary>
    IRegressionContext CreateContext();
}

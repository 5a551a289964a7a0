namespace IclTheory.Solver

/// Depth of the looped (recurrent) reduced-Γ model, Eq. 4: a finite number of layers L ≥ 1,
/// or the L → ∞ limit in which (1 - γλ/L)^L becomes e^(-γλ).
type Depth =
    | Finite of int
    | Infinite

/// The isotropic setting (ISO, Section 3.1, Eq. 5 and 60–61): context length ratio
/// alpha = P/D > 0, model depth, and label-noise variance sigma2 ≥ 0.
type IsoParams =
    {
        Alpha: float
        Depth: Depth
        Sigma2: float
    }

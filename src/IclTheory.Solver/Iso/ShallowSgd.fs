/// Online SGD of the shallow (L = 1) reduced-Γ model on ISO data (Result 10, Appendix C.1,
/// Eqs. 62–79), in the proportional limit P, K, B, D → ∞ with α = P/D, κ = K/D, τ = B/D.
///
/// Engine derivation (checked against Eqs. 66–75). Write c = 1 + (1 + σ²)/α. The mean
/// gradient is ⟨G⟩ = I - cΓ (Eq. 66), so Γ(t+1) = Γ(t) + η(I - cΓ(t)) + ηΞ(t) relaxes to
/// Γ* = I/c (Eq. 72–73); the mean SGD step equals the Eq. 7 flow with t = η·steps. With
/// Δ = Γ - Γ*, C(t) = (1/D)E|Δ(t)|² obeys C(t+1) = a C(t) + b with a, b of Eq. 75 (the noise
/// variance of Eq. 71 is (1/τ)(1 + 1/κ)c²[C + (c-1)/c²]). From Γ(0) = 0, C(0) = (1/D)|Γ*|² =
/// 1/c², hence C(t) = a^t/c² + b(1 - a^t)/(1 - a); Eq. 79 prints a^t, i.e. C(0) = 1.
/// The mean of Δ is E Δ(t) = -(1 - ηc)^t I/c, so
///   (1/D)E|Γ(t) - I|² = C(t) + 2((c-1)/c²)(1 - ηc)^t + ((c-1)/c)²      (Eq. 76, = 1 at t = 0).
/// The ICL test loss is not that distance: at L = 1, Eq. 83 gives the reducible loss of a
/// given Γ as (1/D)tr[I - 2Γ + cΓᵀΓ] = (c/D)|Γ - Γ*|² + 1 - 1/c, so averaged over SGD
///   E ℒ(t) = c·C(t) + 1 - 1/c                                            (= 1 at t = 0).
module IclTheory.Solver.ShallowSgd

/// Step size η, context ratio α = P/D, evaluation ratio κ = K/D, batch ratio τ = B/D and
/// label-noise variance σ².
type SgdParams =
    {
        Eta: float
        Alpha: float
        Kappa: float
        Tau: float
        Sigma2: float
    }

/// c = 1 + (1 + σ²)/α, the curvature of the L = 1 loss (Eq. 66).
let curvature (p: SgdParams) = 1.0 + (1.0 + p.Sigma2) / p.Alpha

/// (1 + 1/κ)/τ, the SGD-noise factor of Eqs. 71–75.
let private noiseFactor (p: SgdParams) = (1.0 + 1.0 / p.Kappa) / p.Tau

/// Largest stable step: a < 1 ⇔ η < 2/(c(1 + (1 + 1/κ)/τ)) (Eq. 75).
let maxStableEta (p: SgdParams) =
    2.0 / (curvature p * (1.0 + noiseFactor p))

/// Refuses bad parameters, naming "eta", "alpha", "kappa", "tau" or "sigma2"; a step size at
/// or past stability (a ≥ 1) is refused too.
let validate (p: SgdParams) =
    Validate.positive "alpha" p.Alpha
    Validate.positive "kappa" p.Kappa
    Validate.positive "tau" p.Tau
    Validate.nonNegative "sigma2" p.Sigma2
    Validate.positive "eta" p.Eta
    let limit = maxStableEta p

    if p.Eta >= limit then
        raise (
            InvalidParameterException(
                "eta",
                p.Eta.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                sprintf "0 < eta < %g (a < 1, Eq. 75)" limit
            )
        )

let private validateStep (step: int) = Validate.atLeast "step" 0 step

/// 1 - a of Eq. 75 written without cancellation: ηc(2 - ηc(1 + (1 + 1/κ)/τ)).
let private oneMinusA (p: SgdParams) =
    let ec = p.Eta * curvature p
    ec * (2.0 - ec * (1.0 + noiseFactor p))

/// a of Eq. 75: (1 - ηc)² + (η²/τ)(1 + 1/κ)c².
let a (p: SgdParams) =
    validate p
    1.0 - oneMinusA p

/// b of Eq. 75: (η²/τ)(1 + 1/κ)(1 + σ²)/α.
let b (p: SgdParams) =
    validate p
    p.Eta * p.Eta * noiseFactor p * (1.0 + p.Sigma2) / p.Alpha

/// a^t and (1 - a^t)/(1 - a), accurate for small η (log1p/expm1).
let private powers (p: SgdParams) (step: int) =
    let z = float step * Precision.log1p (-(oneMinusA p))
    exp z, -(Precision.expm1 z) / oneMinusA p

/// (1 - ηc)^t, the relaxation of the mean (Eq. 76).
let private meanDecay (p: SgdParams) (step: int) =
    let ec = p.Eta * curvature p

    if ec < 1.0 then
        exp (float step * Precision.log1p (-ec))
    else
        (1.0 - ec) ** float step

/// Eq. 78 with C(t) of Eq. 79 exactly as printed: C(t) = a^t + (1 - a^t)/(1 - a)·b, plus
/// 2α⁻¹(1+σ²)/(1+α⁻¹(1+σ²))²·(1 - ηc)^t + (1+σ²)²/(α+1+σ²)². At t = 0 it is
/// 1 + 2(c-1)/c² + ((c-1)/c)², not 1 (e.g. 1.75 at α = 1, σ² = 0), since Eq. 79 takes C(0) = 1
/// while Γ(0) = 0 gives C(0) = 1/c².
let printedLoss (p: SgdParams) (step: int) =
    validate p
    validateStep step
    let at, sum = powers p step
    let printedC = at + sum * b p
    let q = (1.0 + p.Sigma2) / p.Alpha

    printedC
    + 2.0 * q / ((1.0 + q) ** 2.0) * meanDecay p step
    + (1.0 + p.Sigma2) ** 2.0 / (p.Alpha + 1.0 + p.Sigma2) ** 2.0

/// C(t) = (1/D)E|Γ(t) - Γ*|² from C(0) = 1/c² and the recursion of Eq. 74–75.
let relaxation (p: SgdParams) (step: int) =
    validate p
    validateStep step
    let c = curvature p
    let at, sum = powers p step
    at / (c * c) + sum * b p

/// The ICL test loss (reducible, Eq. 83 at L = 1, averaged over SGD): c·C(t) + 1 - 1/c.
let engineTestLoss (p: SgdParams) (step: int) =
    let c = curvature p
    c * relaxation p step + 1.0 - 1.0 / c

/// (1/D)E|Γ(t) - I|² = C(t) + 2((c-1)/c²)(1 - ηc)^t + ((c-1)/c)² (Eq. 76 with C(0) = 1/c²).
let engineDistanceToIdentity (p: SgdParams) (step: int) =
    let c = curvature p

    relaxation p step
    + 2.0 * (c - 1.0) / (c * c) * meanDecay p step
    + ((c - 1.0) / c) ** 2.0

/// The Marchenko–Pastur law of Σ̂ = XXᵀ/P with X a D×P standard Gaussian matrix and
/// α = P/D (paper, Section 3.1 and Appendix C, Eq. 61; Potters & Bouchaud 2020).
module IclTheory.Solver.MarchenkoPastur

open System.Numerics

/// Mass of the atom at λ = 0: (1 - α)₊ (rank deficiency when P < D).
let atom (alpha: float) =
    Validate.positive "alpha" alpha
    max 0.0 (1.0 - alpha)

/// Edges λ∓ = (1 ∓ α^(-1/2))² of the continuous part.
let edges (alpha: float) =
    Validate.positive "alpha" alpha
    let s = 1.0 / sqrt alpha
    (1.0 - s) ** 2.0, (1.0 + s) ** 2.0

/// Density of the continuous part, ρ(λ) = α √((λ₊-λ)(λ-λ₋)) / (2πλ) on [λ₋, λ₊];
/// it integrates to min(1, α), the atom carrying the rest.
let density (alpha: float) (lambda: float) =
    let lo, hi = edges alpha

    if lambda <= lo || lambda >= hi || lambda <= 0.0 then
        0.0
    else
        alpha * sqrt ((hi - lambda) * (lambda - lo)) / (2.0 * System.Math.PI * lambda)

let private binomial (n: int) (k: int) =
    let mutable acc = BigInteger.One

    for i in 1..k do
        acc <- acc * BigInteger(n - k + i) / BigInteger(i)

    acc

/// Exact Narayana coefficients of the k-th moment: m_k = Σ_{r=0}^{k-1} N(k, r) q^r with
/// q = D/P = 1/α and N(k, r) = C(k, r) C(k-1, r) / (r+1).
let narayana (k: int) : BigInteger[] =
    Validate.atLeast "k" 1 k
    Array.init k (fun r -> binomial k r * binomial (k - 1) r / BigInteger(r + 1))

/// k-th moment tr Σ̂^k of the law (normalized trace), k ≥ 0; m₀ = 1, m₁ = 1, m₂ = 1 + 1/α.
let moment (alpha: float) (k: int) =
    Validate.positive "alpha" alpha
    Validate.atLeast "k" 0 k

    if k = 0 then
        1.0
    else
        let q = 1.0 / alpha
        narayana k |> Array.rev |> Array.fold (fun acc c -> acc * q + float c) 0.0

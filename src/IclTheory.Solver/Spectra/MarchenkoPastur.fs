/// The Marchenko–Pastur law of Σ̂ = XXᵀ/P with X a D×P standard Gaussian matrix and
/// α = P/D (paper, Section 3.1 and Appendix C, Eq. 61; Potters & Bouchaud 2020).
module IclTheory.Solver.MarchenkoPastur

open System
open System.Collections.Concurrent
open System.Numerics

/// Mass of the atom at λ = 0: (1 - α)₊ (rank deficiency when P < D).
let atom (alpha: float) =
    Validate.positive "alpha" alpha
    max 0.0 (1.0 - alpha)

/// Edges λ∓ = (1 ∓ α^(-1/2))² of the continuous part; λ₋ is written (α-1)²/(α(√α+1)²) so
/// that it keeps its relative accuracy near α = 1 (and is exactly 0 at α = 1).
let edges (alpha: float) =
    Validate.positive "alpha" alpha
    let s = sqrt alpha
    (alpha - 1.0) ** 2.0 / (alpha * (s + 1.0) ** 2.0), (1.0 + 1.0 / s) ** 2.0

/// Density of the continuous part, ρ(λ) = α √((λ₊-λ)(λ-λ₋)) / (2πλ) on [λ₋, λ₊];
/// it integrates to min(1, α), the atom carrying the rest.
let density (alpha: float) (lambda: float) =
    let lo, hi = edges alpha

    if lambda <= lo || lambda >= hi || lambda <= 0.0 then
        0.0
    else
        alpha * sqrt ((hi - lambda) * (lambda - lo)) / (2.0 * Math.PI * lambda)

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

// Quadrature. With λ = c₀ - r cos θ (c₀ = 1 + 1/α, r = 2/√α), ρ(λ)dλ = α r² sin²θ /(2πλ) dθ
// on θ ∈ (0, π). The trapezoid rule with N panels (interior nodes θ_j = jπ/N, j < N; the
// end nodes carry sin²θ = 0) gives ∫ρg ≈ Σ_j W_j g(λ_j). Its error on the constant is known
// in closed form (δ_N below); adding δ_N·g(0) turns the rule into the trapezoid rule for the
// divided difference (g(λ) - g(0))/λ against the smooth weight α r² sin²θ/(2π), which is
// exact for polynomials g of degree ≤ 2N - 2 and spectrally accurate for analytic g, for
// every α including α = 1 (where δ_N = 1/N is the θ = 0 end node at λ = 0).

/// A fixed N-panel rule: ∫ρ(λ)g(λ)dλ ≈ ZeroMass·g(0) + Σ_j Weight[j]·g(Lambda[j]),
/// where ZeroMass = (1 - α)₊ + δ_N.
type Rule =
    {
        Alpha: float
        Panels: int
        Lambda: float[]
        Weight: float[]
        LogWeight: float[]
        ZeroMass: float
    }

/// δ_N = min(1, α) - Σ_j W_j, the trapezoid error on ∫ρ_cont = min(1, α): from the Fourier
/// series of sin²θ/(c₀ - r cos θ), whose ratio is q = min(√α, 1/√α), the aliased harmonics
/// sum to |α - 1| / (|α|^(±N) - 1) = |α - 1| / expm1(N |ln α|); the limit at α = 1 is 1/N.
let edgeCorrection (alpha: float) (panels: int) =
    Validate.positive "alpha" alpha
    Validate.atLeast "panels" 1 panels

    if alpha = 1.0 then
        1.0 / float panels
    else
        let z = float panels * abs (Precision.log1p (alpha - 1.0))

        if z > 700.0 then
            0.0
        else
            abs (alpha - 1.0) / Precision.expm1 z

/// Node λ(θ) = λ₋ + 2r sin²(θ/2) and unnormalized weight α r² sin²θ/λ, written as
/// 4α r² s²c²/(λ₋ + 2r s²) (s, c = sin, cos of θ/2): no 0/0 when λ₋ = 0 (α = 1).
let private node (alpha: float) (lower: float) (r: float) (theta: float) =
    let s = sin (0.5 * theta)
    let c = cos (0.5 * theta)
    let s2 = s * s
    let lambda = lower + 2.0 * r * s2
    lambda, 4.0 * alpha * r * r * s2 * c * c / lambda

let private buildRule (alpha: float) (panels: int) =
    let lower, _ = edges alpha
    let r = 2.0 / sqrt alpha
    let n = panels - 1
    let lambda = Array.zeroCreate n
    let weight = Array.zeroCreate n

    for j in 1..n do
        let l, w = node alpha lower r (float j * Math.PI / float panels)
        lambda[j - 1] <- l
        weight[j - 1] <- w / (2.0 * float panels)

    {
        Alpha = alpha
        Panels = panels
        Lambda = lambda
        Weight = weight
        LogWeight = Array.map log weight
        ZeroMass = max 0.0 (1.0 - alpha) + edgeCorrection alpha panels
    }

let private rules = ConcurrentDictionary<struct (float * int), Rule>()

/// The N-panel rule for α, cached (nodes and weights depend on α and N only).
let rule (alpha: float) (panels: int) =
    Validate.positive "alpha" alpha
    Validate.atLeast "panels" 1 panels

    if rules.Count > 512 then
        rules.Clear()

    rules.GetOrAdd(struct (alpha, panels), (fun struct (a, n) -> buildRule a n))

let private zeroValue (alpha: float) (g: float -> float) =
    let g0 = g 0.0

    if Double.IsFinite g0 then
        Some g0
    elif alpha > 1.0 && not (Double.IsNaN g0) then
        None
    else
        raise (
            ConvergenceException(
                "MarchenkoPastur.integrate",
                sprintf
                    "alpha = %g: g(0) = %g is NaN, or infinite where the atom (alpha < 1) or the edge at 0 (alpha = 1) needs it"
                    alpha
                    g0
            )
        )

let private checkedValue (alpha: float) (g: float -> float) (lambda: float) =
    let y = g lambda

    if Double.IsNaN y then
        raise (
            ConvergenceException(
                "MarchenkoPastur.integrate",
                sprintf "alpha = %g: g is NaN at lambda = %g" alpha lambda
            )
        )

    y

/// Fixed N-panel rule (N - 1 interior nodes and λ = 0), for convergence studies:
/// ∫ρ(λ)g(λ)dλ including the atom (1-α)₊·g(0). If g(0) is not finite and α > 1 (no atom),
/// the plain trapezoid rule without the δ_N·g(0) term is used (converging like α^(-N)).
let integrateWith (alpha: float) (nodes: int) (g: float -> float) =
    let rl = rule alpha nodes
    let mutable acc = 0.0

    for j in 0 .. rl.Lambda.Length - 1 do
        acc <- acc + rl.Weight[j] * checkedValue alpha g rl.Lambda[j]

    match zeroValue alpha g with
    | Some g0 -> acc + rl.ZeroMass * g0
    | None -> acc

[<Literal>]
let private MaxPanels = 1048576

/// Adaptive ∫ρ(λ)g(λ)dλ including the atom (1-α)₊·g(0): the N-panel rule of `integrateWith`
/// with N = 8, 16, 32, … (each level reuses the previous nodes) until two levels differ by
/// at most 1e-13·|I| + 1e-14·∫ρ|g|. ErrorEstimate is that last difference (the returned finer
/// level is far more accurate for smooth g); Nodes counts the evaluations of g at the last
/// level. ConvergenceException past 2^20 panels.
let integrate (alpha: float) (g: float -> float) =
    Validate.positive "alpha" alpha
    let lower, _ = edges alpha
    let r = 2.0 / sqrt alpha
    let g0 = zeroValue alpha g
    let atomMass = max 0.0 (1.0 - alpha)

    // Sums of ŵ·g and ŵ·|g| (ŵ = 2N·W) over the nodes j = first, first + step, … < N.
    let nodeSums (panels: int) (first: int) (step: int) =
        let mutable s = 0.0
        let mutable a = 0.0

        for j in first..step .. panels - 1 do
            let l, w = node alpha lower r (float j * Math.PI / float panels)
            let y = checkedValue alpha g l
            s <- s + w * y
            a <- a + w * abs y

        s, a

    // The rule's value and ∫ρ|g| estimate from the interior sums at N panels.
    let level (panels: int) (sum: float) (absSum: float) =
        let z =
            g0
            |> Option.map (fun v -> (atomMass + edgeCorrection alpha panels) * v)
            |> Option.defaultValue 0.0

        let scale = 2.0 * float panels
        z + sum / scale, abs z + absSum / scale

    let rec refine (panels: int) (sum: float) (absSum: float) (previous: float) =
        if panels >= MaxPanels then
            raise (
                ConvergenceException(
                    "MarchenkoPastur.integrate",
                    sprintf "alpha = %g: no convergence with %d panels" alpha panels
                )
            )

        let finer = 2 * panels
        let s, a = nodeSums finer 1 2
        let current, magnitude = level finer (sum + s) (absSum + a)
        let change = abs (current - previous)

        if change <= 1e-13 * abs current + 1e-14 * magnitude then
            {
                Value = current
                ErrorEstimate = change
                Nodes = finer
            }
        else
            refine finer (sum + s) (absSum + a) current

    let start = 8
    let s0, a0 = nodeSums start 1 1
    refine start s0 a0 (fst (level start s0 a0))

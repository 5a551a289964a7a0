/// The one-dimensional ISO loss landscape ℒ(γ) for Γ = γI (Result 1, Eq. 8; Appendix C.2,
/// Eq. 83). This is the REDUCIBLE loss ℒ - σ² of Eq. 59: the test MSE against noisy labels
/// (Eq. 57) adds σ².
///
///   ℒ(γ) = ∫ρ(λ) [ (1 - γλ/L)^(2L) + σ²/(αλ) (1 - (1 - γλ/L)^L)² ] dλ        (Eq. 83)
///
/// with ρ the Marchenko–Pastur law including its atom; at L = ∞ the powers become e^(-2γλ)
/// and (1 - e^(-γλ))². For finite L the integrand is a polynomial of degree 2L in λ, so the
/// (L+1)-panel Marchenko–Pastur rule is exact (used up to L = 4095; beyond, and at L = ∞, the
/// panel count is doubled until converged); sums are carried with a common exponent so
/// that losses far below the double range (ℒ* ≈ 1e-415 at α = 8, L = 1024) keep their
/// relative accuracy in `logLoss` and in the Newton steps of `optimum`.
module IclTheory.Solver.IsoLandscape

open System
open System.Buffers

/// Refuses bad parameters, naming "alpha", "depth" or "sigma2".
let validate (p: IsoParams) =
    Validate.positive "alpha" p.Alpha

    match p.Depth with
    | Finite depth when depth < 1 ->
        raise (InvalidParameterException("depth", string depth, "Finite L with L >= 1, or Infinite"))
    | _ -> ()

    Validate.nonNegative "sigma2" p.Sigma2

let private describe (p: IsoParams) =
    sprintf "alpha = %g, depth = %A, sigma2 = %g" p.Alpha p.Depth p.Sigma2

/// ℒ, ℒ', ℒ'' = e^Scale·(S0, S1, S2); A1 = Σ|terms of ℒ'| (same scale), the size that
/// rounding in S1 is measured against.
[<Struct>]
type private Evaluation =
    {
        Scale: float
        S0: float
        S1: float
        S2: float
        A1: float
        Panels: int
    }

/// y^n for y = ±e^ly (negative: `negative`), any integer n (y^0 = 1 even at y = 0).
let inline private signedPower (n: int) (ly: float) (negative: bool) =
    if n = 0 then 1.0
    elif negative && n % 2 <> 0 then -(exp (float n * ly))
    else exp (float n * ly)

/// ln|1 - x| without cancellation for small x.
let inline private logAbsOneMinus (x: float) =
    if x < 1.0 then Precision.log1p (-x) else log (x - 1.0)

/// 1 - y^L given y^L = yL and y = 1 - x = e^ly > 0: 1 - yL when yL ≤ 1/2, else
/// -expm1(L·ln y) (small γλ, where 1 - yL would cancel).
let inline private oneMinusPower (yL: float) (l: float) (ly: float) (x: float) =
    if x < 1.0 && yL > 0.5 then
        -(Precision.expm1 (l * ly))
    else
        1.0 - yL

/// Mutable sums of one evaluation pass.
[<Struct; NoEquality; NoComparison>]
type private Sums =
    {
        mutable S0: float
        mutable S1: float
        mutable S2: float
        mutable A1: float
    }

let inline private add (sums: byref<Sums>) (w: float) (m0: float) (m1: float) (m2: float) =
    sums.S0 <- sums.S0 + w * m0
    sums.S1 <- sums.S1 + w * m1
    sums.S2 <- sums.S2 + w * m2
    sums.A1 <- sums.A1 + w * abs m1

/// Terms of node λ at finite depth L (Eq. 83), added with signal weight ws = W·y^(2L-2)·e^-Scale
/// = exp(relExponent) and noise weight `wn` = W·(σ²/α)·e^-Scale (noise = σ²/α):
///   signal y^(2L), y = 1 - γλ/L: d/dγ = -2λ y^(2L-1), d²/dγ² = 2λ²(2L-1)/L·y^(2L-2);
///   noise (σ²/(αλ))G², G = 1 - y^L: d/dγ = (2σ²/α) G y^(L-1),
///   d²/dγ² = (2σ²/α) λ [y^(2L-2) - ((L-1)/L) G y^(L-2)].
/// For |y| > 1 the noise terms are factored by y^(2L-2) too, so that nothing overflows.
let private addFiniteNode
    (sums: byref<Sums>)
    (depth: int)
    (noise: float)
    (x: float)
    (lambda: float)
    (ly: float)
    (relExponent: float)
    (wn: float)
    =
    let l = float depth
    let y = 1.0 - x
    let negative = x > 1.0
    let curvature = 2.0 * lambda * lambda * (2.0 * l - 1.0) / l

    if noise = 0.0 then
        add &sums (exp relExponent) (y * y) (-2.0 * lambda * y) curvature
    elif abs y <= 1.0 then
        let yL = signedPower depth ly negative
        let g = oneMinusPower yL l ly x

        let yL1, yL2 =
            if y = 0.0 then
                signedPower (depth - 1) ly negative, signedPower (max 0 (depth - 2)) ly negative
            else
                yL / y, yL / (y * y)

        // ws = W·y^(2L-2)·e^-Scale = (wn/noise)·(y^(L-1))², saving an exp; wn/noise ≤ 1/W_max.
        let ws =
            if y = 0.0 then
                exp relExponent
            else
                wn / noise * (yL1 * yL1)

        add &sums ws (y * y) (-2.0 * lambda * y) curvature
        let second = if depth = 1 then 0.0 else (l - 1.0) / l * g * yL2
        add &sums wn (g * (g / lambda)) (2.0 * g * yL1) (2.0 * lambda * (yL1 * yL1 - second))
    else
        let ws = exp relExponent
        let inv n = signedPower -n ly negative
        let n0 = (inv (2 * depth - 2) - 2.0 * inv (depth - 2) + y * y) / lambda
        let n1 = 2.0 * (inv (depth - 1) - y)
        let n2 = 2.0 * lambda * (1.0 + (l - 1.0) / l * (1.0 - inv depth))
        add &sums ws (y * y + noise * n0) (-2.0 * lambda * y + noise * n1) (curvature + noise * n2)

/// Terms of node λ at infinite depth, u = γλ: signal e^(-2u) (derivatives -2λe^(-2u),
/// 4λ²e^(-2u)), weight ws = W·e^(-2u)·e^-Scale; noise (σ²/(αλ))(1 - e^(-u))² (derivatives
/// (2σ²/α)(1 - e^(-u))e^(-u) and (2σ²/α)λe^(-u)(2e^(-u) - 1)), weight wn = W·(σ²/α)·e^-Scale.
let private addInfiniteNode (sums: byref<Sums>) (u: float) (lambda: float) (ws: float) (wn: float) =
    add &sums ws 1.0 (-2.0 * lambda) (4.0 * lambda * lambda)

    if wn > 0.0 then
        let e = exp -u
        let g = if e > 0.5 then -(Precision.expm1 -u) else 1.0 - e
        add &sums wn (g * (g / lambda)) (2.0 * g * e) (2.0 * lambda * e * (2.0 * e - 1.0))

/// ℒ, ℒ', ℒ'' of Eq. 83 at γ with a fixed Marchenko–Pastur rule, in two passes: the first
/// finds the largest term exponent (Scale), the second adds the terms divided by e^Scale.
/// The λ = 0 node carries the atom plus the edge correction; there the signal is 1 and the
/// noise term vanishes.
let private evaluateWith (rule: MarchenkoPastur.Rule) (p: IsoParams) (gamma: float) =
    let n = rule.Lambda.Length
    let noise = p.Sigma2 / p.Alpha
    let logNoise = if noise > 0.0 then log noise else Double.NegativeInfinity
    let exponents = ArrayPool<float>.Shared.Rent(max 1 n)
    let logs = ArrayPool<float>.Shared.Rent(max 1 n)

    try
        let mutable scale =
            if rule.ZeroMass > 0.0 then
                log rule.ZeroMass
            else
                Double.NegativeInfinity

        for j in 0 .. n - 1 do
            let lambda = rule.Lambda[j]
            let lw = rule.LogWeight[j]

            let exponent =
                match p.Depth with
                | Finite depth ->
                    let ly = logAbsOneMinus (gamma * lambda / float depth)
                    logs[j] <- ly
                    if depth = 1 then lw else lw + float (2 * depth - 2) * ly
                | Infinite -> lw - 2.0 * gamma * lambda

            exponents[j] <- exponent
            scale <- max scale (max exponent (lw + logNoise))

        let noiseFactor = if noise > 0.0 then exp (logNoise - scale) else 0.0

        let mutable sums =
            {
                S0 = 0.0
                S1 = 0.0
                S2 = 0.0
                A1 = 0.0
            }

        if rule.ZeroMass > 0.0 then
            add &sums (exp (log rule.ZeroMass - scale)) 1.0 0.0 0.0

        for j in 0 .. n - 1 do
            let lambda = rule.Lambda[j]
            let wn = rule.Weight[j] * noiseFactor

            match p.Depth with
            | Finite depth ->
                addFiniteNode &sums depth noise (gamma * lambda / float depth) lambda logs[j] (exponents[j] - scale) wn
            | Infinite -> addInfiniteNode &sums (gamma * lambda) lambda (exp (exponents[j] - scale)) wn

        if Double.IsNaN sums.S0 || Double.IsNaN sums.S1 || Double.IsNaN sums.S2 then
            raise (
                ConvergenceException(
                    "IsoLandscape",
                    sprintf "%s, gamma = %g: NaN in the quadrature sums" (describe p) gamma
                )
            )

        {
            Scale = scale
            S0 = sums.S0
            S1 = sums.S1
            S2 = sums.S2
            A1 = sums.A1
            Panels = rule.Panels
        }
    finally
        ArrayPool<float>.Shared.Return exponents
        ArrayPool<float>.Shared.Return logs

/// Finite depths up to this many layers use the exact (L+1)-panel rule.
[<Literal>]
let private ExactRuleMaxDepth = 4095

[<Literal>]
let private MaxPanels = 1048576

let private nextPowerOfTwo (n: float) =
    let mutable k = 16

    while float k < n && k < MaxPanels do
        k <- 2 * k

    k

/// Doubles the panel count until ℒ changes by ≤ 1e-13·ℒ and ℒ' by ≤ 1e-13·Σ|terms of ℒ'|,
/// or the cap is reached (for finite L the cap L+1 is exact); returns the finer evaluation
/// and the coarser one.
let private adaptive (p: IsoParams) (start: int) (cap: int) (gamma: float) =
    let rec refine (coarse: Evaluation) =
        let panels = min cap (2 * coarse.Panels)

        if coarse.Panels >= cap then
            raise (
                ConvergenceException(
                    "IsoLandscape",
                    sprintf "%s, gamma = %g: quadrature not converged at %d panels" (describe p) gamma coarse.Panels
                )
            )

        let fine = evaluateWith (MarchenkoPastur.rule p.Alpha panels) p gamma
        let factor = exp (coarse.Scale - fine.Scale)
        let dLoss = abs (factor * coarse.S0 - fine.S0)
        let dSlope = abs (factor * coarse.S1 - fine.S1)

        if
            fine.Panels >= cap
            || (dLoss <= 1e-13 * abs fine.S0 && dSlope <= 1e-13 * fine.A1)
        then
            fine, coarse
        else
            refine fine

    refine (evaluateWith (MarchenkoPastur.rule p.Alpha start) p gamma)

/// The evaluation at γ: exact (L+1)-panel rule for L ≤ 4095; otherwise adaptive, starting
/// from 4096 panels (finite L, capped at the exact L+1) or from ≈ γ·r panels (infinite
/// depth: e^(-2γλ) needs Chebyshev degree ≈ 2γr).
let private evaluate (p: IsoParams) (gamma: float) =
    match p.Depth with
    | Finite depth when depth <= ExactRuleMaxDepth -> evaluateWith (MarchenkoPastur.rule p.Alpha (depth + 1)) p gamma
    | Finite depth -> fst (adaptive p (ExactRuleMaxDepth + 1) (min MaxPanels (depth + 1)) gamma)
    | Infinite -> fst (adaptive p (nextPowerOfTwo (gamma * 2.0 / sqrt p.Alpha)) MaxPanels gamma)

let private checkGamma (gamma: float) = Validate.nonNegative "gamma" gamma

/// ln ℒ(γ) (Eq. 83), finite even where ℒ itself underflows the double range.
let logLoss (p: IsoParams) (gamma: float) =
    validate p
    checkGamma gamma
    let e = evaluate p gamma
    e.Scale + log e.S0

/// ℒ(γ) of Eq. 83 (Eq. 8 when σ² = 0) with an error estimate: the difference to the rule
/// with twice the panels (both exact for finite L ≤ 4095, so it measures rounding).
let lossWithError (p: IsoParams) (gamma: float) =
    validate p
    checkGamma gamma

    let fine, coarse =
        match p.Depth with
        | Finite depth when depth <= ExactRuleMaxDepth ->
            evaluateWith (MarchenkoPastur.rule p.Alpha (depth + 1)) p gamma,
            evaluateWith (MarchenkoPastur.rule p.Alpha (2 * depth + 2)) p gamma
        | Finite depth -> adaptive p (ExactRuleMaxDepth + 1) (min MaxPanels (depth + 1)) gamma
        | Infinite -> adaptive p (nextPowerOfTwo (gamma * 2.0 / sqrt p.Alpha)) MaxPanels gamma

    let value = exp fine.Scale * fine.S0

    {
        Value = value
        ErrorEstimate = abs (value - exp coarse.Scale * coarse.S0)
        Nodes = fine.Panels
    }

/// ℒ(γ) of Eq. 83 (Eq. 8 when σ² = 0); underflows to 0 where ln ℒ < -745 (see `logLoss`).
let loss (p: IsoParams) (gamma: float) =
    validate p
    checkGamma gamma
    let e = evaluate p gamma
    exp e.Scale * e.S0

/// ∂ℒ/∂γ of Eq. 83 from the analytic integrand (see `addFiniteNode`), same quadrature.
let derivative (p: IsoParams) (gamma: float) =
    validate p
    checkGamma gamma
    let e = evaluate p gamma
    exp e.Scale * e.S1

/// ∂²ℒ/∂γ² of Eq. 83, same quadrature.
let secondDerivative (p: IsoParams) (gamma: float) =
    validate p
    checkGamma gamma
    let e = evaluate p gamma
    exp e.Scale * e.S2

/// The minimum of Eq. 8 / Eq. 83 over γ ≥ 0. ErrorEstimate estimates the relative error of
/// GammaStar and LossStar (see `optimum`).
type Optimum =
    {
        GammaStar: float
        LossStar: float
        ErrorEstimate: float
    }

/// Safeguarded Newton on ℒ'(γ) = 0 inside [lo, hi] with ℒ'(lo) < 0 < ℒ'(hi) (the rtsafe
/// rule of Numerical Recipes): a Newton step that leaves the bracket, meets ℒ'' ≤ 0, or does
/// not halve the step before last is replaced by bisection, so convergence is at least linear
/// even where ℒ' grows like e^(2L·…) and plain Newton would crawl. Stops when the Newton step
/// is below 1e-15·γ (the rounding floor of ℒ'). Returns γ and the last relative step.
let private newton (p: IsoParams) (eval: float -> Evaluation) (lo0: float) (hi0: float) (start: float) =
    let rec loop lo hi gamma stepBeforeLast lastStep iteration =
        let e = eval gamma

        if e.S1 = 0.0 then
            gamma, 0.0
        else
            let lo, hi = if e.S1 < 0.0 then gamma, hi else lo, gamma
            let newtonStep = e.S1 / e.S2

            if e.S2 > 0.0 && abs newtonStep <= 1e-15 * gamma then
                gamma - newtonStep, abs newtonStep / gamma
            elif hi - lo <= 4.0 * Precision.MachineEpsilon * hi then
                0.5 * (lo + hi), (hi - lo) / hi
            elif iteration >= 300 then
                raise (
                    ConvergenceException(
                        "IsoLandscape.optimum",
                        sprintf "%s: Newton–bisection stalled at gamma = %g in [%g, %g]" (describe p) gamma lo hi
                    )
                )
            else
                let candidate = gamma - newtonStep

                let next =
                    if
                        e.S2 > 0.0
                        && candidate > lo
                        && candidate < hi
                        && abs (2.0 * newtonStep) <= abs stepBeforeLast
                    then
                        candidate
                    else
                        0.5 * (lo + hi)

                loop lo hi next lastStep (next - gamma) (iteration + 1)

    loop lo0 hi0 start (hi0 - lo0) (hi0 - lo0) 0

/// Finds hi > start with ℒ'(hi) > 0 by doubling (ℒ'(0) = -2 < 0 always: -2∫ρλ).
let private bracket (p: IsoParams) (eval: float -> Evaluation) (start: float) =
    let rec grow lo gamma k =
        if k > 1100 || Double.IsInfinity gamma then
            raise (ConvergenceException("IsoLandscape.optimum", sprintf "%s: no upper bracket for gamma*" (describe p)))

        if (eval gamma).S1 > 0.0 then
            lo, gamma
        else
            grow gamma (2.0 * gamma) (k + 1)

    grow 0.0 start 0

/// Newton polish of a good approximation γ₀ with a finer evaluation: plain Newton steps,
/// accepted while ℒ'' > 0 and each step is below 1e-3·γ; stops at the rounding floor (step
/// ≤ 1e-14·γ, or a step ≤ 1e-12·γ that no longer halves). None if the polish misbehaves.
let private polish (eval: float -> Evaluation) (gamma0: float) =
    let rec loop gamma previous k =
        let e = eval gamma
        let step = e.S1 / e.S2

        if e.S1 = 0.0 then
            Some(gamma, 0.0, e)
        elif not (e.S2 > 0.0) || abs step > 1e-3 * gamma || k >= 30 then
            None
        elif
            abs step <= 1e-14 * gamma
            || (abs step <= 1e-12 * gamma && abs step > 0.5 * previous)
        then
            Some(gamma - step, abs step / gamma, e)
        else
            loop (gamma - step) (abs step) (k + 1)

    loop gamma0 Double.PositiveInfinity 0

/// Panels of the cheap rule used to locate γ* before the exact polish.
[<Literal>]
let private SearchPanels = 64

/// The local minimum reached from γ = 0 (ℒ'(0) = -2 < 0): bracket by doubling from `start`,
/// locate with `search`, polish with `fine` (or, if the polish misbehaves, solve with `fine`).
let private firstMinimum (p: IsoParams) (search: float -> Evaluation) (fine: float -> Evaluation) (start: float) =
    let solve eval =
        let lo, hi = bracket p eval start
        newton p eval lo hi (start |> max lo |> min hi)

    let approximate = fst (solve search)

    match polish fine approximate with
    | Some result -> result
    | None ->
        let gamma, step = solve fine
        gamma, step, fine gamma

/// The second local minimum that Eq. 83 can have with noise at finite L ≥ 2 (the "fitting"
/// branch): ℒ' vanishes at γ_B = Lα/(1+α) without noise and the noise term makes it negative
/// there; the minimum lies above γ_B (found within 1.25·γ_B in scans). Bracketed by steps of
/// 10 % from γ_B. None when ℒ'(γ_B) ≥ 0 (no minimum on that branch) or when the tangent lines
/// at the bracket ends (a lower bound for a convex ℒ on the bracket) stay above `bestLoss`;
/// otherwise solved with `fine`.
let private fittingMinimum (p: IsoParams) (fine: float -> Evaluation) (depth: int) (bestLoss: float) =
    let gammaB = float depth * p.Alpha / (1.0 + p.Alpha)
    let atB = fine gammaB

    if atB.S1 >= 0.0 then
        None
    else
        let rec grow (lo: float) (atLo: Evaluation) k =
            if k > 400 then
                raise (
                    ConvergenceException(
                        "IsoLandscape.optimum",
                        sprintf "%s: no upper bracket above gamma_B" (describe p)
                    )
                )

            let hi = 1.1 * lo
            let atHi = fine hi

            if atHi.S1 > 0.0 then
                lo, atLo, hi, atHi
            else
                grow hi atHi (k + 1)

        let lo, atLo, hi, atHi = grow gammaB atB 0
        let value (e: Evaluation) = exp e.Scale * e.S0
        let slope (e: Evaluation) = exp e.Scale * e.S1
        // Tangents ℒ(lo) + ℒ'(lo)(x - lo) and ℒ(hi) + ℒ'(hi)(x - hi) meet at x*.
        let crossing =
            (value atHi - value atLo + slope atLo * lo - slope atHi * hi)
            / (slope atLo - slope atHi)

        let bound = value atLo + slope atLo * (crossing - lo)

        if bound > bestLoss * (1.0 + 1e-12) then
            None
        else
            let gamma, step = newton p fine lo hi lo
            Some(gamma, step, fine gamma)

/// Eq. 8 (σ² = 0) and its noisy form from Eq. 83: γ* = argmin ℒ over γ ≥ 0 and ℒ* = ℒ(γ*).
///
/// σ² = 0, finite L: ℒ is convex (a sum of even powers of affine functions of γ) and its
/// minimizer is γ* = Lα/(1+α) = 2L/(λ₊+λ₋) exactly, at every L: λρ(λ)dλ is symmetric about
/// c₀ = (λ₊+λ₋)/2 and ℒ'(γ) ∝ ∫λρ(λ)(c₀ - λ)^(2L-1)dλ = 0 there. The search starts there.
///
/// σ² > 0: ℒ can have TWO local minima at finite L: the early-stopping one reached from γ = 0,
/// and a "fitting" one just above Lα/(1+α) (seen in scans for L ≳ 16, e.g. α = 8, σ² = 0.1,
/// L = 16: γ = 6.245 with ℒ = 0.014170 and γ = 15.54 with ℒ = 0.014284). Both are located
/// and the lower is returned (the second is skipped when a tangent bound shows it is higher).
///
/// Method: safeguarded Newton–bisection on ℒ' with a cheap 64-panel rule, then Newton polish
/// with the exact (L+1)-panel rule (finite L ≤ 4095) or the adaptive rule. ErrorEstimate is
/// relative: the last Newton correction, at least ε·N for an N-panel rule (rounding; the
/// rule itself is exact for finite L ≤ 4095).
///
/// Infinite depth with σ² = 0 has no minimizer: ℒ decreases to its infimum (1 - α)₊ as
/// γ → ∞, returned as GammaStar = +∞, LossStar = (1 - α)₊ exactly.
/// ℒ* below ≈ 1e-308 underflows in LossStar (use `logLoss p GammaStar`).
let optimum (p: IsoParams) =
    validate p
    let c = 1.0 + (1.0 + p.Sigma2) / p.Alpha

    match p.Depth with
    | Infinite when p.Sigma2 = 0.0 ->
        {
            GammaStar = Double.PositiveInfinity
            LossStar = MarchenkoPastur.atom p.Alpha
            ErrorEstimate = 0.0
        }
    | _ ->
        let fine, finePanels =
            match p.Depth with
            | Finite depth when depth <= ExactRuleMaxDepth ->
                evaluateWith (MarchenkoPastur.rule p.Alpha (depth + 1)) p, depth + 1
            | Finite depth -> evaluate p, min MaxPanels (depth + 1)
            | Infinite -> evaluate p, SearchPanels

        let search =
            if finePanels <= SearchPanels then
                fine
            else
                evaluateWith (MarchenkoPastur.rule p.Alpha SearchPanels) p

        let start =
            match p.Depth with
            | Finite depth when p.Sigma2 = 0.0 -> float depth / c
            | _ -> 1.0 / c

        let first = firstMinimum p search fine start
        let lossOf (_, _, e: Evaluation) = e.Scale + log e.S0

        let second =
            match p.Depth with
            | Finite depth when p.Sigma2 > 0.0 && depth >= 2 -> fittingMinimum p fine depth (exp (lossOf first))
            | _ -> None

        let gammaStar, lastStep, e =
            match second with
            | Some b when lossOf b < lossOf first -> b
            | _ -> first

        {
            GammaStar = gammaStar
            LossStar = exp e.Scale * e.S0
            ErrorEstimate = max lastStep (Precision.MachineEpsilon * float finePanels)
        }

/// Randomly rotated structured covariances (RRS, Section 3.3; Appendices E, F.1, F.2) at
/// N, P → ∞: Γ = γI (Result 6) on the one-dimensional landscape of Eq. 94/98 with Σ̂ → Λ,
/// its gradient flow (Eq. 13), the depth optimum (Eqs. 99–100), untied layers (Section 5.1,
/// Appendix G.1) and the full linear-attention scalars (Section 5.2, Appendix G.2).
module IclTheory.Solver.RrsTheory

open System
open System.Numerics.Tensors
open IclTheory.Solver.Spectrum

let inline private ro (a: float[]) (first: int) (count: int) = ReadOnlySpan<float>(a, first, count)
let inline private rw (a: float[]) (first: int) (count: int) = Span<float>(a, first, count)

/// Terms j = 0..J (J = 17) of the Taylor tail in x = γλ_k ≤ 1/2. Lagrange remainder: for e^(-2x)
/// and for (1 - x/L)^n with n ≤ 2L, |R_J| ≤ (2x)^(J+1)/(J+1)! ≤ 1/18! = 1.6e-16, while the power
/// itself is ≥ 0.357 whenever n > J (below, the series is the exact polynomial): every tail mode's
/// term is truncated by ≤ 4.4e-16 of itself.
[<Literal>]
let private TailTerms = 18

/// Modes with γλ_k ≤ TailEdge go to the tail.
[<Literal>]
let private TailEdge = 0.5

/// Moments a_j for j = 0..J+2: the loss uses a_j, the rate a_(j+1), the slope a_(j+2).
[<Literal>]
let private MomentCount = 20

/// The tail moments are kept at block starts; the direct sum covers at most BlockSize - 1 extra modes.
[<Literal>]
let private BlockSize = 32

/// e^(-2x) rounds to 0 in double precision once 2x ≥ 746 (the least subnormal is e^(-744.4)).
[<Literal>]
let private UnderflowExponent = 746.0

/// Modes sorted by descending λ with ℓ_k = λ_k/λ_1 and, at block starts r·BlockSize, the suffix
/// moments a_j(r) = Σ_(k ≥ r·BlockSize) λ_kω_k ℓ_k^j (row `Blocks` is all zeros); the Taylor
/// coefficients of the loss, rate and slope powers.
type private TaylorTail =
    {
        LambdaMax: float
        Scaled: float[]
        Moments: float[]
        Blocks: int
        LossCoefficients: float[]
        RateCoefficients: float[]
        SlopeCoefficients: float[]
    }

/// The RRS landscape of one spectrum and depth with its mode weights λω, λ²ω, λ³ω and
/// scratch buffers, so that repeated evaluations allocate nothing; with a Taylor tail, the
/// modes are sorted by descending λ and only the modes with γλ > 1/2 are summed one by one.
type private Landscape =
    {
        Depth: Depth
        Lambda: float[]
        LambdaOmega: float[]
        Lambda2Omega: float[]
        Lambda3Omega: float[]
        Base: float[]
        Power: float[]
        Scratch: float[]
        InverseModes: float
        Tail: TaylorTail voption
    }

let private validateSpectrum (s: Spectrum) (depth: Depth) =
    FsTheory.validateDepth depth

    if
        isNull (box s)
        || isNull s.Lambda
        || isNull s.Omega
        || s.Lambda.Length = 0
        || s.Lambda.Length <> s.Omega.Length
    then
        raise (
            InvalidParameterException(
                "s",
                "a malformed spectrum",
                "a Spectrum built by Spectrum.powerLaw, ofArrays or parseCsv"
            )
        )

let private landscapeOf (depth: Depth) (lambda: float[]) (omega: float[]) (tail: TaylorTail voption) =
    let m = lambda.Length
    let lo = Array.map2 (*) lambda omega
    let l2o = Array.map2 (*) lambda lo
    let l3o = Array.map2 (*) lambda l2o

    {
        Depth = depth
        Lambda = lambda
        LambdaOmega = lo
        Lambda2Omega = l2o
        Lambda3Omega = l3o
        Base = Array.zeroCreate m
        Power = Array.zeroCreate m
        Scratch = Array.zeroCreate m
        InverseModes = 1.0 / float m
        Tail = tail
    }

/// The plain landscape: every evaluation sums all M modes.
let private prepare (s: Spectrum) (depth: Depth) =
    validateSpectrum s depth
    landscapeOf depth s.Lambda s.Omega ValueNone

let private isDescending (values: float[]) =
    let mutable sorted = true
    let mutable k = 1

    while sorted && k < values.Length do
        sorted <- values[k] <= values[k - 1]
        k <- k + 1

    sorted

/// λ and ω reordered by descending λ (the arrays themselves when already so).
let private sortedDescending (s: Spectrum) =
    if isDescending s.Lambda then
        s.Lambda, s.Omega
    else
        let keys = Array.map (fun l -> -l) s.Lambda
        let omega = Array.copy s.Omega
        Array.Sort(keys, omega)
        Array.map (fun k -> -k) keys, omega

/// Taylor coefficients in x = γλ: c_j = C(n, j)(-1/L)^j of (1 - x/L)^n (zero past j = n) at
/// finite L, c_j = (-2)^j/j! of e^(-2x) at L = ∞.
let private taylorCoefficients (depth: Depth) (n: int) =
    let c = Array.zeroCreate TailTerms
    c[0] <- 1.0

    for j in 1 .. TailTerms - 1 do
        c[j] <-
            match depth with
            | Infinite -> c[j - 1] * -2.0 / float j
            | Finite l -> c[j - 1] * -(float (n - j + 1)) / (float l * float j)

    c

/// Suffix moments a_j(r) of the descending modes, summed from the smallest λ up with Neumaier
/// compensation (a plain running sum over 10^5 modes could lose 1e-11).
let private tailMoments (scaled: float[]) (lambdaOmega: float[]) (blocks: int) =
    let m = scaled.Length
    let moments = Array.zeroCreate ((blocks + 1) * MomentCount)
    let sum = Array.zeroCreate MomentCount
    let compensation = Array.zeroCreate MomentCount

    for block in blocks - 1 .. -1 .. 0 do
        for k in min m ((block + 1) * BlockSize) - 1 .. -1 .. block * BlockSize do
            let mutable term = lambdaOmega[k]

            for j in 0 .. MomentCount - 1 do
                let s = sum[j]
                let t = s + term

                compensation[j] <- compensation[j] + (if abs s >= abs term then (s - t) + term else (term - t) + s)

                sum[j] <- t
                term <- term * scaled[k]

        for j in 0 .. MomentCount - 1 do
            moments[block * MomentCount + j] <- sum[j] + compensation[j]

    moments

let private taylorTail (depth: Depth) (lambda: float[]) (lambdaOmega: float[]) =
    let lambdaMax = lambda[0]
    let scaled = Array.map (fun l -> l / lambdaMax) lambda
    let blocks = (lambda.Length + BlockSize - 1) / BlockSize

    let lossPower, ratePower, slopePower =
        match depth with
        | Infinite -> 0, 0, 0
        | Finite l -> 2 * l, 2 * l - 1, 2 * l - 2

    {
        LambdaMax = lambdaMax
        Scaled = scaled
        Moments = tailMoments scaled lambdaOmega blocks
        Blocks = blocks
        LossCoefficients = taylorCoefficients depth lossPower
        RateCoefficients = taylorCoefficients depth ratePower
        SlopeCoefficients = taylorCoefficients depth slopePower
    }

/// The landscape for many evaluations: modes sorted by descending λ, with the Taylor tail.
let private prepareTabulated (s: Spectrum) (depth: Depth) =
    validateSpectrum s depth
    let lambda, omega = sortedDescending s
    let land = landscapeOf depth lambda omega ValueNone

    { land with
        Tail = ValueSome(taylorTail depth lambda land.LambdaOmega)
    }

/// The modes [First, Last) are summed one by one; below First, e^(-2γλ) = 0 (L = ∞); from Last
/// on (a block start), γλ ≤ 1/2 and moment row Row carries them (Row = -1: no tail).
[<Struct>]
type private Split = { First: int; Last: int; Row: int }

/// The first index k of a descending array with values[k] ≤ bound (the length if none).
let private firstAtMost (values: float[]) (bound: float) =
    let mutable lo = 0
    let mutable hi = values.Length

    while lo < hi do
        let mid = (lo + hi) >>> 1

        if values[mid] <= bound then hi <- mid else lo <- mid + 1

    lo

let private splitAt (land: Landscape) (gamma: float) =
    let m = land.Lambda.Length

    match land.Tail with
    | ValueSome tail when gamma >= 0.0 ->
        let g = gamma * tail.LambdaMax
        let edge = firstAtMost tail.Scaled (TailEdge / g)
        let row = min tail.Blocks ((edge + BlockSize - 1) / BlockSize)
        let last = min m (row * BlockSize)

        let first =
            match land.Depth with
            | Infinite -> min last (firstAtMost tail.Scaled (0.5 * UnderflowExponent / g))
            | Finite _ -> 0

        {
            First = first
            Last = last
            Row = row
        }
    | _ -> { First = 0; Last = m; Row = -1 }

/// Σ_j c_j g^j a_(j+shift)(row) by Horner, with g = γλ_1 (so that x_k = gℓ_k).
let private tailSum (tail: TaylorTail) (c: float[]) (row: int) (shift: int) (g: float) =
    let offset = row * MomentCount + shift
    let mutable acc = 0.0

    for j in TailTerms - 1 .. -1 .. 0 do
        acc <- acc * g + c[j] * tail.Moments[offset + j]

    acc

/// Fills Base with b_k = 1 - γλ_k/L and Power with |b_k|^(2L-2) (finite L), or Power with
/// e^(-2γλ_k) (L = ∞), for the modes [first, first + count).
let private fillPowers (land: Landscape) (gamma: float) (first: int) (count: int) =
    let power = rw land.Power first count

    match land.Depth with
    | Infinite ->
        TensorPrimitives.Multiply(ro land.Lambda first count, -2.0 * gamma, power)
        TensorPrimitives.Exp(ro land.Power first count, power)
    | Finite l ->
        TensorPrimitives.Multiply(ro land.Lambda first count, -gamma / float l, rw land.Base first count)
        TensorPrimitives.Add(ro land.Base first count, 1.0, rw land.Base first count)

        if l = 1 then
            power.Fill 1.0
        else
            TensorPrimitives.Abs(ro land.Base first count, power)
            TensorPrimitives.Log(ro land.Power first count, power)
            TensorPrimitives.Multiply(ro land.Power first count, float (2 * l - 2), power)
            TensorPrimitives.Exp(ro land.Power first count, power)

/// The tail's share of Σλ^pω(…) for the loss (p = 1), rate (p = 2) and slope (p = 3):
/// λ_1^(p-1) Σ_j c_j g^j a_(j+p-1).
let private tailPart (land: Landscape) (split: Split) (gamma: float) (pick: TaylorTail -> float[]) (p: int) =
    match land.Tail with
    | ValueSome tail when split.Row >= 0 ->
        let g = gamma * tail.LambdaMax
        pown tail.LambdaMax (p - 1) * tailSum tail (pick tail) split.Row (p - 1) g
    | _ -> 0.0

/// The rate F(γ) = dγ/dt = (1/M) Σ λ²ω (1 - γλ/L)^(2L-1) (Eq. 13, normalized trace; e^(-2γλ)
/// at L = ∞) and its slope F'(γ) = -((2L-1)/L)(1/M) Σ λ³ω (1 - γλ/L)^(2L-2) (-2(1/M)Σλ³ωe^(-2γλ)).
let private rateAndSlope (land: Landscape) (gamma: float) =
    let split = splitAt land gamma
    let first = split.First
    let count = split.Last - split.First
    fillPowers land gamma first count

    let struct (headRate, headSlope) =
        match land.Depth with
        | Infinite ->
            struct (TensorPrimitives.Dot(ro land.Lambda2Omega first count, ro land.Power first count),
                    TensorPrimitives.Dot(ro land.Lambda3Omega first count, ro land.Power first count))
        | Finite _ ->
            TensorPrimitives.Multiply(ro land.Base first count, ro land.Power first count, rw land.Scratch first count)

            struct (TensorPrimitives.Dot(ro land.Lambda2Omega first count, ro land.Scratch first count),
                    TensorPrimitives.Dot(ro land.Lambda3Omega first count, ro land.Power first count))

    let f = headRate + tailPart land split gamma (fun t -> t.RateCoefficients) 2
    let f' = headSlope + tailPart land split gamma (fun t -> t.SlopeCoefficients) 3

    let slopeFactor =
        match land.Depth with
        | Infinite -> -2.0
        | Finite l -> -(2.0 * float l - 1.0) / float l

    struct (f * land.InverseModes, slopeFactor * f' * land.InverseModes)

/// ℒ(γ) = (1/M) Σ λω (1 - γλ/L)^(2L) (Eq. 94/98 with Σ̂ → Λ), e^(-2γλ) at L = ∞.
let private landscapeLoss (land: Landscape) (gamma: float) =
    let split = splitAt land gamma
    let first = split.First
    let count = split.Last - split.First
    fillPowers land gamma first count

    let head =
        match land.Depth with
        | Infinite -> TensorPrimitives.Dot(ro land.LambdaOmega first count, ro land.Power first count)
        | Finite _ ->
            let scratch = rw land.Scratch first count
            TensorPrimitives.Multiply(ro land.Base first count, ro land.Base first count, scratch)
            TensorPrimitives.Multiply(ro land.Scratch first count, ro land.Power first count, scratch)
            TensorPrimitives.Dot(ro land.LambdaOmega first count, ro land.Scratch first count)

    (head + tailPart land split gamma (fun t -> t.LossCoefficients) 1)
    * land.InverseModes

/// ℒ(γ) = (1/M) Σ_k ω_kλ_k(1 - γλ_k/L)^(2L) (Eqs. 94 and 98 with Σ̂ → Λ and the normalized
/// trace), e^(-2γλ_k) at L = ∞.
let loss (s: Spectrum) (depth: Depth) (gamma: float) =
    Validate.finite "gamma" gamma
    landscapeLoss (prepare s depth) gamma

/// ℒ'(γ) = -(2/M) Σ_k ω_kλ_k²(1 - γλ_k/L)^(2L-1) (derivative of Eq. 98), -(2/M)Σωλ²e^(-2γλ) at L = ∞.
let derivative (s: Spectrum) (depth: Depth) (gamma: float) =
    Validate.finite "gamma" gamma
    let struct (f, _) = rateAndSlope (prepare s depth) gamma
    -2.0 * f

/// dγ/dt = -(1/2)ℒ'(γ) = (1/M) Σ_k λ_k²ω_k(1 - γλ_k/L)^(2L-1): Eq. 13 with the normalized
/// trace (the Eq. 62 time convention).
let rate (s: Spectrum) (depth: Depth) (gamma: float) =
    Validate.finite "gamma" gamma
    let struct (f, _) = rateAndSlope (prepare s depth) gamma
    f

/// ℒ(γ) (Eq. 98), the rate F(γ) = dγ/dt (Eq. 13) and its slope F'(γ) = dF/dγ at one γ.
type LandscapePoint =
    {
        Gamma: float
        Loss: float
        Rate: float
        Slope: float
    }

/// `loss`, `rate` and F' at each of `gammas` (each finite and ≥ 0), evaluated the way `flow` and
/// `depthOptimum` do: modes sorted by descending λ; those with γλ_k ≤ 1/2 (from a block start on)
/// enter through 18 Taylor terms in γλ with precomputed compensated moments Σλ_k^(1+j)ω_k
/// (truncation ≤ 4.4e-16 of each mode's term), those with e^(-2γλ_k) = 0 in double are skipped
/// (L = ∞), the rest are summed directly. Cost per γ: O(log M + #{k: γλ_k > 1/2} + 32).
let landscapePoints (s: Spectrum) (depth: Depth) (gammas: float[]) : LandscapePoint[] =
    if isNull gammas then
        raise (InvalidParameterException("gammas", "null", "an array of finite gammas >= 0"))

    gammas |> Array.iter (Validate.nonNegative "gammas")
    let land = prepareTabulated s depth

    gammas
    |> Array.map (fun gamma ->
        let struct (f, f') = rateAndSlope land gamma

        {
            Gamma = gamma
            Loss = landscapeLoss land gamma
            Rate = f
            Slope = f'
        })


/// The minimizer of ℒ(γ) at finite depth and its loss (Appendix F.2).
type DepthOptimum = { GammaStar: float; LossStar: float }

let private allEqual (values: float[]) =
    values |> Array.forall (fun v -> v = values[0])

/// Safeguarded Newton on F(γ) = -(1/2)ℒ'(γ) = 0. ℒ is convex (ℒ'' = (2(2L-1)/L)(1/M)Σλ³ω
/// (1 - γλ/L)^(2L-2) ≥ 0), F(0) > 0 and F < 0 once the top mode dominates, so the root is
/// unique; it is bracketed from [0, 2L/λ_1] (doubling the upper end while F > 0 there).
let private optimumOf (land: Landscape) (depth: int) =
    let lambda1 = Array.max land.Lambda

    if allEqual land.Lambda then
        float depth / lambda1
    else
        let rate g =
            let struct (f, _) = rateAndSlope land g
            f

        let mutable hi = 2.0 * float depth / lambda1
        let mutable doublings = 0

        while rate hi > 0.0 do
            hi <- 2.0 * hi
            doublings <- doublings + 1

            if doublings > 1000 then
                raise (
                    ConvergenceException("RrsTheory.depthOptimum", sprintf "no sign change of dL/dgamma up to %g" hi)
                )

        let rec newton lo hi g iteration =
            let struct (f, f') = rateAndSlope land g
            let lo, hi = if f > 0.0 then g, hi else lo, g
            let candidate = g - f / f'

            let next =
                if candidate > lo && candidate < hi then
                    candidate
                else
                    0.5 * (lo + hi)

            if
                f = 0.0
                || abs (next - g) <= 2.0 * Precision.MachineEpsilon * g
                || hi - lo <= 4.0 * Precision.MachineEpsilon * hi
            then
                next
            elif iteration >= 400 then
                raise (
                    ConvergenceException(
                        "RrsTheory.depthOptimum",
                        sprintf "Newton stalled at gamma = %g, depth = %d" g depth
                    )
                )
            else
                newton lo hi next (iteration + 1)

        newton 0.0 hi (float depth / lambda1) 0

/// Appendix F.2: γ* = argmin_γ ℒ(γ; L) of Eq. 98 at finite depth (Eq. 99 approximates it by
/// L/λ_1; γ* ≥ L/λ_1 since ℒ'(L/λ_1) ≤ 0), to machine precision, with ℒ* = ℒ(γ*) (Eq. 100).
let depthOptimum (s: Spectrum) (depth: int) =
    Validate.atLeast "depth" 1 depth
    let land = prepareTabulated s (Finite depth)
    let gammaStar = optimumOf land depth

    {
        GammaStar = gammaStar
        LossStar = landscapeLoss land gammaStar
    }

/// 4-point Gauss–Legendre nodes on [-1, 1] (positive half) and weights.
let private glNodes = [| 0.3399810435848563; 0.8611363115940526 |]

let private glWeights = [| 0.6521451548625461; 0.3478548451374538 |]

/// The flow variable w: ln γ at L = ∞; ln γ - ln(γ* - γ) at finite L (γ = γ*/(1 + e^(-w))), which is
/// ≈ ln γ early and ≈ κt + const as γ → γ*, so that w(ln t) stays smooth over every regime.
type private FlowVariable =
    | LogGamma
    | Logit of gammaStar: float

let private gammaOf (v: FlowVariable) (w: float) =
    match v with
    | LogGamma -> exp w
    | Logit g -> g / (1.0 + exp -w)

/// γ* - γ at w, formed without cancellation.
let private gapOf (v: FlowVariable) (w: float) =
    match v with
    | LogGamma -> infinity
    | Logit g -> g / (1.0 + exp w)

let private wOf (v: FlowVariable) (gamma: float) =
    match v with
    | LogGamma -> log gamma
    | Logit g -> log gamma - log (g - gamma)

/// dγ/dw.
let private jacobian (v: FlowVariable) (w: float) =
    match v with
    | LogGamma -> exp w
    | Logit g -> gammaOf v w * (gapOf v w / g)

/// dw/dγ and d²w/dγ² at w.
let private wDerivatives (v: FlowVariable) (w: float) =
    let gamma = gammaOf v w

    match v with
    | LogGamma -> struct (1.0 / gamma, -1.0 / (gamma * gamma))
    | Logit g ->
        let gap = gapOf v w
        struct (g / (gamma * gap), 1.0 / (gap * gap) - 1.0 / (gamma * gamma))

/// A knot of the tabulated flow: x = ln t, w, dw/dx and d²w/dx².
[<Struct>]
type private Knot =
    {
        X: float
        T: float
        W: float
        W1: float
        W2: float
    }

let private flowFailure (what: string) (details: string) =
    ConvergenceException("RrsTheory.flow", sprintf "%s: %s" what details)

/// The knot at (t, w): with x = ln t, dγ/dx = tF and d²γ/dx² = tF + t²F'F, so dw/dx = w_γ·tF and
/// d²w/dx² = w_γγ(tF)² + w_γ(tF + t²F'F).
let private knotAt (what: string) (land: Landscape) (v: FlowVariable) (t: float) (w: float) =
    let struct (f, f') = rateAndSlope land (gammaOf v w)

    if not (f > 0.0) || not (Double.IsFinite f') then
        raise (
            flowFailure
                what
                (sprintf "the rate dgamma/dt = %g is not positive at gamma = %g (t = %g)" f (gammaOf v w) t)
        )

    let struct (wg, wgg) = wDerivatives v w
    let tf = t * f

    {
        X = log t
        T = t
        W = w
        W1 = wg * tf
        W2 = wgg * tf * tf + wg * (tf + t * tf * f')
    }

/// ∫_{w0}^{w1} dt/dw dw with dt/dw = (dγ/dw)/F(γ(w)) by 4-point Gauss–Legendre; None when the
/// rate is not positive at a node (rounding has swamped F next to γ*).
let private panelTime (land: Landscape) (v: FlowVariable) (w0: float) (w1: float) =
    let mid = 0.5 * (w0 + w1)
    let half = 0.5 * (w1 - w0)
    let mutable acc = 0.0
    let mutable ok = true

    for i in 0 .. glNodes.Length - 1 do
        for sign in [| -1.0; 1.0 |] do
            let w = mid + sign * half * glNodes[i]
            let struct (f, _) = rateAndSlope land (gammaOf v w)

            if f > 0.0 then
                acc <- acc + glWeights[i] * jacobian v w / f
            else
                ok <- false

    if ok then Some(acc * half) else None

/// Quintic Hermite interpolation of w between two knots in x = ln t (values, slopes, curvatures).
let private hermite (a: Knot) (b: Knot) (x: float) =
    let h = b.X - a.X
    let s = (x - a.X) / h
    let s2 = s * s
    let s3 = s2 * s
    let s4 = s3 * s
    let s5 = s4 * s
    let h0 = 1.0 - 10.0 * s3 + 15.0 * s4 - 6.0 * s5
    let h1 = s - 6.0 * s3 + 8.0 * s4 - 3.0 * s5
    let h2 = 0.5 * (s2 - 3.0 * s3 + 3.0 * s4 - s5)
    let h3 = 10.0 * s3 - 15.0 * s4 + 6.0 * s5
    let h4 = -4.0 * s3 + 7.0 * s4 - 3.0 * s5
    let h5 = 0.5 * (s3 - 2.0 * s4 + s5)

    a.W * h0
    + h * a.W1 * h1
    + h * h * a.W2 * h2
    + b.W * h3
    + h * b.W1 * h4
    + h * h * b.W2 * h5

/// Knot spacing in ln t (quintic Hermite error ~ h⁶/46080·|w⁽⁶⁾|) and the widest panel in w.
[<Literal>]
let private KnotSpacing = 0.2

[<Literal>]
let private MaxPanelWidth = 1.0

[<Literal>]
let private LogitPanelWidth = 0.1

/// The logit variable stops at w = 25 (γ* - γ = 1.4e-11·γ*): beyond, w grows linearly in t
/// at the last knot's slope, exact to O(e^(-w)) in γ, while F itself would be rounding noise.
[<Literal>]
let private LogitCap = 25.0

/// The flow γ(t) of F on `land` from γ(0) = 0 at the sorted times (all ≥ 0).
let private flowGammas (what: string) (land: Landscape) (v: FlowVariable) (sorted: float[]) =
    let struct (f0, f0') = rateAndSlope land 0.0
    let lambda1 = Array.max land.Lambda
    let tMax = if sorted.Length = 0 then 0.0 else sorted[sorted.Length - 1]

    let tMin = sorted |> Array.tryFind (fun t -> t > 0.0) |> Option.defaultValue tMax

    // Below γ0 the series γ = F0 t + F0'F0 t²/2 is exact to (γλ_1)²/6 ≤ 1e-10 relative.
    let gamma0 = min (2e-5 / lambda1) (f0 * tMin)

    let t0 =
        let half = 0.5 * gamma0
        let mutable acc = 0.0

        for i in 0 .. glNodes.Length - 1 do
            for sign in [| -1.0; 1.0 |] do
                let struct (f, _) = rateAndSlope land (half + sign * half * glNodes[i])
                acc <- acc + glWeights[i] / f

        acc * half

    // At finite L, F has complex zeros close to γ* (where the odd power of the top mode
    // cancels the other modes): logit panels stay below 0.1 in w (measured: 1e-10 against
    // Dormand–Prince at L = 1…5000, against 2e-8 with 0.25).
    let panelCap =
        match v with
        | LogGamma -> MaxPanelWidth
        | Logit _ -> LogitPanelWidth

    let knots = ResizeArray<Knot>()

    if tMax > t0 then
        knots.Add(knotAt what land v t0 (wOf v gamma0))
        let mutable capped = false

        while not capped && knots[knots.Count - 1].T < tMax do
            let last = knots[knots.Count - 1]
            let width = min panelCap (KnotSpacing * last.W1)
            let wNext = last.W + width

            match v with
            | Logit _ when wNext > LogitCap -> capped <- true
            | _ ->
                match panelTime land v last.W wNext with
                | Some dt -> knots.Add(knotAt what land v (last.T + dt) wNext)
                | None ->
                    match v with
                    | Logit _ when last.W > 10.0 -> capped <- true
                    | _ ->
                        raise (flowFailure what (sprintf "the rate is not positive between w = %g and %g" last.W wNext))

    let gammaAt (t: float) =
        if t = 0.0 then
            0.0
        elif t <= t0 then
            f0 * t + 0.5 * f0' * f0 * t * t
        else
            let last = knots[knots.Count - 1]

            if t >= last.T then
                gammaOf v (last.W + last.W1 / last.T * (t - last.T))
            else
                let x = log t
                let mutable lo = 0
                let mutable hi = knots.Count - 1

                while hi - lo > 1 do
                    let mid = (lo + hi) / 2
                    if knots[mid].T <= t then lo <- mid else hi <- mid

                gammaOf v (hermite knots[lo] knots[hi] x)

    sorted |> Array.map gammaAt

let private validateTimes (times: float[]) =
    if isNull times then
        raise (InvalidParameterException("times", "null", "an array of finite times >= 0"))

    times |> Array.iter (Validate.nonNegative "times")

/// Evaluates `solve` on the sorted times and returns the results in the caller's order.
let private inRequestOrder (times: float[]) (solve: float[] -> 'a[]) =
    let order = Array.init times.Length id |> Array.sortBy (fun i -> times[i])
    let values = solve (order |> Array.map (fun i -> times[i]))
    let result = Array.zeroCreate times.Length
    order |> Array.iteri (fun k i -> result[i] <- values[k])
    result

/// The RRS gradient flow dγ/dt = (1/M)Σλ²ω(1 - γλ/L)^(2L-1) (Eq. 13, normalized trace) from
/// γ(0) = 0, at `times` (any order, each finite and ≥ 0), with ℒ(γ(t)) of Eq. 98.
///
/// Method: t(γ) = ∫_0^γ dγ'/F(γ') in the variable w (ln γ at L = ∞; the logit ln γ - ln(γ* - γ)
/// at finite L, where the flow saturates at the depth optimum γ* ≥ L/λ_1 of `depthOptimum` and
/// t(γ) → ∞ logarithmically), by 4-point Gauss–Legendre panels whose width keeps Δln t ≈ 0.2;
/// [0, γ0] with γ0 = min(2e-5/λ_1, F(0)t_min) is integrated in γ and inverted by the series
/// γ = F0t + F0'F0t²/2. Between knots, w(ln t) is inverted by quintic Hermite interpolation
/// with the exact slope (dγ/dt = F) and curvature (d²γ/dt² = F'F). A spectrum with one
/// distinct λ at finite L has F ∝ (1 - γλ/L)^(2L-1) (a root of order 2L-1 at γ* = L/λ) and takes
/// the closed form of `FsTheory.gamma` with ω replaced by its mean.
let flow (s: Spectrum) (depth: Depth) (times: float[]) : IsoFlow.FlowPoint[] =
    let land = prepareTabulated s depth
    validateTimes times
    let what = sprintf "RRS flow, M = %d, depth = %A" (modes s) depth

    let gammas (sorted: float[]) =
        match depth with
        | Finite _ when allEqual land.Lambda ->
            let omegaBar = Array.average s.Omega
            sorted |> Array.map (FsTheory.gamma FsTheory.Eq10 depth land.Lambda[0] omegaBar)
        | Finite l -> flowGammas what land (Logit(optimumOf land l)) sorted
        | Infinite -> flowGammas what land LogGamma sorted

    let gammaOfT = inRequestOrder times gammas

    Array.map2
        (fun t g ->
            ({
                T = t
                Gamma = g
                Loss = landscapeLoss land g
            }
            : IsoFlow.FlowPoint))
        times
        gammaOfT

/// Validated γ^ℓ, σ² and α of the untied model; returns L.
let private validateUntied (gammas: float[]) (sigma2: float) (alpha: float) =
    if isNull gammas || gammas.Length = 0 then
        raise (InvalidParameterException("gammas", "an empty array", "one gamma per layer, L >= 1"))

    gammas |> Array.iter (Validate.finite "gammas")
    Validate.nonNegative "sigma2" sigma2
    Validate.positive "alpha" alpha
    gammas.Length

/// The untied loss and its gradient, accumulated mode by mode in O(L) per mode with
/// a_j = 1 - γ^jλ/L, P = Π_j a_j, T_m = Π_{j>m} a_j, Pre_m = Π_{j<m} a_j and
/// U_1 = 0, U_{m+1} = a_m U_m + γ^m (so S = U_{L+1} = Σ_ℓ γ^ℓ T_ℓ):
///   ∂(P²)/∂γ^m = -2(λ/L) P Pre_m T_m,   ∂(S²)/∂γ^m = 2S T_m(1 - (λ/L)U_m).
let private untiedEvaluate (s: Spectrum) (gammas: float[]) (sigma2: float) (alpha: float) (withGradient: bool) =
    let l = validateUntied gammas sigma2 alpha
    let lf = float l
    let noise = sigma2 / (lf * lf * alpha)
    let a = Array.zeroCreate l
    let suffix = Array.zeroCreate (l + 1)
    let u = Array.zeroCreate (l + 1)
    let gradient = Array.zeroCreate l
    let mutable total = 0.0

    for k in 0 .. modes s - 1 do
        let lambda = s.Lambda[k]
        let omega = s.Omega[k]
        let r = lambda / lf

        for j in 0 .. l - 1 do
            a[j] <- 1.0 - gammas[j] * r

        suffix[l] <- 1.0

        for j in l - 1 .. -1 .. 0 do
            suffix[j] <- suffix[j + 1] * a[j]

        for j in 0 .. l - 1 do
            u[j + 1] <- a[j] * u[j] + gammas[j]

        let p = suffix[0]
        let sum = u[l]
        total <- total + omega * lambda * p * p + noise * lambda * lambda * sum * sum

        if withGradient then
            let mutable prefix = 1.0

            for m in 0 .. l - 1 do
                let t = suffix[m + 1]
                let signal = -2.0 * r * p * prefix * t
                let noiseTerm = 2.0 * sum * t * (1.0 - r * u[m])
                gradient[m] <- gradient[m] + omega * lambda * signal + noise * lambda * lambda * noiseTerm
                prefix <- prefix * a[m]

    let inverse = 1.0 / float (modes s)
    total * inverse, gradient |> Array.map (fun g -> g * inverse)

/// Untied layers (Section 5.1; Appendix G.1, Eq. 122 with Σ̂ → Λ and normalized traces):
/// ℒ({γ^ℓ}) = (1/M)Σ_k ω_kλ_k Π_ℓ(1 - γ^ℓλ_k/L)²
///          + (σ²/(L²α)) Σ_{ℓ,ℓ'} γ^ℓγ^ℓ' (1/M)Σ_k λ_k² Π_{j>ℓ}(1 - γ^jλ_k/L) Π_{j>ℓ'}(1 - γ^jλ_k/L),
/// with L = gammas.Length.
let untiedLoss (s: Spectrum) (gammas: float[]) (sigma2: float) (alpha: float) =
    fst (untiedEvaluate s gammas sigma2 alpha false)

/// ∂ℒ/∂γ^ℓ of `untiedLoss` for every layer ℓ.
let untiedGradient (s: Spectrum) (gammas: float[]) (sigma2: float) (alpha: float) =
    snd (untiedEvaluate s gammas sigma2 alpha true)

/// The state of the untied flow at time T.
type UntiedPoint =
    {
        T: float
        Gammas: float[]
        Loss: float
    }

let private odeOptions =
    { Ode.defaultOptions with
        RelTol = 1e-12
        AbsTol = 1e-15
    }

let private solveOrRaise (what: string) (problem: Ode.Problem) (sorted: float[]) =
    let solution = Ode.solve Ode.dormandPrince54 odeOptions problem sorted

    if solution.ReturnCode <> Ode.Success then
        raise (
            ConvergenceException(
                what,
                sprintf
                    "return code %A after %d accepted and %d rejected steps"
                    solution.ReturnCode
                    solution.AcceptedSteps
                    solution.RejectedSteps
            )
        )

    solution.States

/// Gradient flow of the untied layers with the depth-upscaled rate η = η₀L (Section 5.1):
/// dγ^ℓ/dt = -(L/2)∂ℒ/∂γ^ℓ, from γ^ℓ(0) = gamma0[ℓ], by adaptive Dormand–Prince 5(4)
/// (relative tolerance 1e-12). From a balanced start and σ² = 0 it is the recurrent `flow`
/// (Eq. 118: the gradient is permutation symmetric).
let untiedFlow (s: Spectrum) (gamma0: float[]) (sigma2: float) (alpha: float) (times: float[]) =
    let l = validateUntied gamma0 sigma2 alpha
    validateTimes times

    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> untiedGradient s y sigma2 alpha |> Array.map (fun g -> -0.5 * float l * g)
            T0 = 0.0
            Y0 = Array.copy gamma0
        }

    inRequestOrder times (fun sorted ->
        solveOrRaise "RrsTheory.untiedFlow" problem sorted
        |> Array.mapi (fun i y ->
            {
                T = sorted[i]
                Gammas = y
                Loss = untiedLoss s y sigma2 alpha
            }))

/// Scalar scales of the attention weights (Appendix G.2, Eq. 124).
type AttentionScalars =
    {
        Wo: float
        Wv: float
        Wq: float
        Wk: float
        Wx: float
        Wy: float
    }

let private toVector (w: AttentionScalars) =
    [| w.Wo; w.Wv; w.Wq; w.Wk; w.Wx; w.Wy |]

let private ofVector (v: float[]) =
    {
        Wo = v[0]
        Wv = v[1]
        Wq = v[2]
        Wk = v[3]
        Wx = v[4]
        Wy = v[5]
    }

let private validateScalars (w: AttentionScalars) =
    Validate.finite "Wo" w.Wo
    Validate.finite "Wv" w.Wv
    Validate.finite "Wq" w.Wq
    Validate.finite "Wk" w.Wk
    Validate.finite "Wx" w.Wx
    Validate.finite "Wy" w.Wy

/// The effective γ of the attention scalars, g = w_v w_k w_q w_x² (Eq. 124).
let attentionGamma (w: AttentionScalars) = w.Wv * w.Wk * w.Wq * w.Wx * w.Wx

/// p(λ) = (1 - gλ/L)^L and dp/dg = -λ(1 - gλ/L)^(L-1); e^(-gλ) and -λe^(-gλ) at L = ∞.
let private depthPower (depth: Depth) (g: float) (lambda: float) =
    match depth with
    | Infinite ->
        let e = exp (-g * lambda)
        struct (e, -lambda * e)
    | Finite l ->
        let b = 1.0 - g * lambda / float l
        let b1 = pown b (l - 1)
        struct (b * b1, -lambda * b1)

/// Eq. 124 with the normalized trace, and its gradient in (w_o, w_v, w_q, w_k, w_x, w_y):
/// ℒ = (1/M)Σ ωλ r², r = 1 - w_o w_y(1 - p), so ∂ℒ/∂w_o = -(2/M)Σωλ r w_y(1 - p),
/// ∂ℒ/∂g = (2/M)Σωλ r w_o w_y dp/dg, and ∂g/∂w_i by the product rule.
let private attentionEvaluate (s: Spectrum) (depth: Depth) (w: AttentionScalars) =
    FsTheory.validateDepth depth
    validateScalars w
    let g = attentionGamma w
    let readout = w.Wo * w.Wy
    let mutable loss = 0.0
    let mutable dReadout = 0.0
    let mutable dG = 0.0

    for k in 0 .. modes s - 1 do
        let lambda = s.Lambda[k]
        let weight = s.Omega[k] * lambda
        let struct (p, dp) = depthPower depth g lambda
        let r = 1.0 - readout * (1.0 - p)
        loss <- loss + weight * r * r
        dReadout <- dReadout - 2.0 * weight * r * (1.0 - p)
        dG <- dG + 2.0 * weight * r * readout * dp

    let inverse = 1.0 / float (modes s)
    let dG = dG * inverse
    let dReadout = dReadout * inverse

    loss * inverse,
    {
        Wo = dReadout * w.Wy
        Wv = dG * w.Wk * w.Wq * w.Wx * w.Wx
        Wq = dG * w.Wv * w.Wk * w.Wx * w.Wx
        Wk = dG * w.Wv * w.Wq * w.Wx * w.Wx
        Wx = dG * 2.0 * w.Wv * w.Wk * w.Wq * w.Wx
        Wy = dReadout * w.Wo
    }

/// Full linear attention reduced to scalars (Section 5.2; Appendix G.2, Eq. 124, normalized trace):
/// ℒ = (1/M)Σ_k ω_kλ_k[1 - w_o w_y(1 - (1 - gλ_k/L)^L)]², g = w_v w_k w_q w_x² (e^(-gλ) at L = ∞).
let attentionLoss (s: Spectrum) (depth: Depth) (w: AttentionScalars) = fst (attentionEvaluate s depth w)

/// ∂ℒ/∂w_i of `attentionLoss` for all six scalars.
let attentionGradient (s: Spectrum) (depth: Depth) (w: AttentionScalars) = snd (attentionEvaluate s depth w)

/// The state of an attention flow at time T, with g = w_v w_k w_q w_x² and the loss.
type AttentionPoint =
    {
        T: float
        W: AttentionScalars
        Gamma: float
        Loss: float
    }

/// Gradient flow dw_i/dt = -(1/2)∂ℒ/∂w_i on Eq. 124 (the Eq. 62 convention) from w0, by adaptive
/// Dormand–Prince 5(4); with fixedReadout, w_o and w_y stay at their initial values (Eq. 125).
///
/// Balanced reduction (Result 9): ∂ℒ/∂w_i = ℒ'(g)∂g/∂w_i gives d(w_x²)/dt = -2gℒ'(g) and
/// d(w_v²)/dt = -gℒ'(g), so w_x² - 2w_v² (and w_v² - w_k², w_k² - w_q²) are conserved. From
/// w_x(0) = √2σ, w_v = w_k = w_q = σ: w_x² = 2w², g = 2w⁵ and dw/dt = -(1/2)ℒ'(g)·w²w_x² = -w⁴ℒ'(g).
let attentionFlow (s: Spectrum) (depth: Depth) (w0: AttentionScalars) (fixedReadout: bool) (times: float[]) =
    FsTheory.validateDepth depth
    validateScalars w0
    validateTimes times

    let rhs _ (y: float[]) =
        let rate =
            attentionGradient s depth (ofVector y)
            |> toVector
            |> Array.map (fun g -> -0.5 * g)

        if fixedReadout then
            rate[0] <- 0.0
            rate[5] <- 0.0

        rate

    let problem: Ode.Problem =
        {
            Rhs = rhs
            T0 = 0.0
            Y0 = toVector w0
        }

    inRequestOrder times (fun sorted ->
        solveOrRaise "RrsTheory.attentionFlow" problem sorted
        |> Array.mapi (fun i y ->
            let w = ofVector y

            {
                T = sorted[i]
                W = w
                Gamma = attentionGamma w
                Loss = attentionLoss s depth w
            }))

/// Result 9 as printed (Eq. 21): dw/dt = w⁴ (1/M)Σ_k λ_k²ω_k(1 - w⁵λ_k)^(2L-1), with no L⁻¹
/// inside the power (Eq. 126 has one) and no factor 2 in g = 2w⁵.
let printedResult9Rate (s: Spectrum) (depth: int) (w: float) =
    Validate.atLeast "depth" 1 depth
    Validate.finite "w" w
    let w5 = pown w 5

    pown w 4
    * normalizedTrace s (fun l o -> l * l * o * pown (1.0 - w5 * l) (2 * depth - 1))

/// The state of a reparameterized flow: time, scalars and γ = g = w_v w_k w_q w_x².
type ReparameterizedPoint =
    {
        T: float
        W: AttentionScalars
        Gamma: float
    }

/// Gradient flow of the scalars on any landscape ℒ(γ) with γ = w_v w_k w_q w_x² and fixed
/// readout (Eq. 125 generalized): dw_i/dt = -(1/2)ℒ'(γ)∂γ/∂w_i for i ∈ {v, k, q, x}; w_o and
/// w_y are carried unchanged. dLossdGamma is ℒ'(γ) (e.g. IsoLandscape.derivative for ISO).
let reparameterizedFlow (dLossdGamma: float -> float) (w0: AttentionScalars) (times: float[]) =
    validateScalars w0
    validateTimes times

    let rhs _ (y: float[]) =
        let w = ofVector y
        let d = dLossdGamma (attentionGamma w)

        if not (Double.IsFinite d) then
            raise (
                InvalidParameterException(
                    "dLossdGamma",
                    string d,
                    sprintf "a finite slope at gamma = %g" (attentionGamma w)
                )
            )

        [|
            0.0
            -0.5 * d * w.Wk * w.Wq * w.Wx * w.Wx
            -0.5 * d * w.Wv * w.Wk * w.Wx * w.Wx
            -0.5 * d * w.Wv * w.Wq * w.Wx * w.Wx
            -0.5 * d * 2.0 * w.Wv * w.Wk * w.Wq * w.Wx
            0.0
        |]

    let problem: Ode.Problem =
        {
            Rhs = rhs
            T0 = 0.0
            Y0 = toVector w0
        }

    inRequestOrder times (fun sorted ->
        solveOrRaise "RrsTheory.reparameterizedFlow" problem sorted
        |> Array.mapi (fun i y ->
            let w = ofVector y

            {
                T = sorted[i]
                W = w
                Gamma = attentionGamma w
            }))

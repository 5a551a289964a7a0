/// The Chinchilla scaling law of Result 8 (Eq. 18) and the compute-optimal shape, from the
/// finite-(N, L, P) engine of TwoPoint: the final loss at the first stationary point γ*, loss curves
/// ℒ(t, N, L, P) along the gradient flow (Figure 5's width, depth and joint grids), a robust
/// (Huber) fit of ℒ ≈ Σ_i c_i r_i^(−a_i) with bootstrap intervals, and the frontier at fixed
/// compute C = t·N²·L (P → ∞) or C = t·P²·N²·L.
module IclTheory.Solver.ScalingLaw

open System
open MathNet.Numerics.LinearAlgebra

// ---------------------------------------------------------------------------------------------
// The final loss ℒ(γ*) and the flow to it
// ---------------------------------------------------------------------------------------------

/// The first stationary point of ℒ(γ) reached by the flow from γ = 0, with its loss and the
/// node-doubling error estimate of that loss.
type FinalLoss =
    {
        GammaStar: float
        Loss: float
        ErrorEstimate: float
    }

/// Octaves of the bracketing march γ_j = 2^(j−J)·(2L/x₊), j = 0..J, for the first sign change of
/// ∂ℒ/∂γ.
[<Literal>]
let private MarchOctaves = 8

let private slopeAt (k: TwoPoint.Kernel) (depth: int) (gamma: float) = TwoPoint.slopeValue k gamma depth

/// Safeguarded Newton on ∂ℒ/∂γ inside [lo, hi] with slope(lo) < 0 ≤ slope(hi), using ∂²ℒ/∂γ² from the
/// same kernel: a Newton step that leaves the bracket (or meets a non-positive curvature, as happens where
/// the slope sinks into its quadrature error) is replaced by bisection, and the bracket shrinks at every
/// step. The first point is the bracket's midpoint (the slope is flat below γ* and steep above, so the
/// secant point of the octave bracket lies far below the root). It stops when the step or the
/// bracket is 1e-9 relative (ℒ is stationary there: the loss moves by O(1e-18) relative), or when the
/// loss can no longer move, or when |∂ℒ/∂γ| ≤ 1e-12 |∂ℒ/∂γ(0)| (the slope's own rounding level):
/// ℒ(lo) − ℒ* ≤ |∂ℒ/∂γ(lo)|·(hi − lo) ≤ 1e-13·ℒ(0) (ℒ is flat below γ* and steep above, so the lower end
/// converges first); the root is then lo, on the side the flow comes from.
let private refineRoot
    (k: TwoPoint.Kernel)
    (depth: int)
    (scale: float)
    (slopeScale: float)
    (lo0: float)
    (flo0: float)
    (hi0: float)
    (fhi0: float)
    =
    let rec go lo flo hi fhi (g: float) iteration =
        let struct (f, f') = TwoPoint.slopeAndCurvature k g depth
        let lo, flo, hi, fhi = if f < 0.0 then g, f, hi, fhi else lo, flo, g, f

        if abs f <= 1e-12 * slopeScale then
            g
        elif hi - lo <= 1e-9 * hi then
            0.5 * (lo + hi)
        elif abs flo * (hi - lo) <= 1e-13 * scale then
            lo
        elif iteration >= 200 then
            raise (
                ConvergenceException(
                    "ScalingLaw.stationaryPoint (safeguarded Newton on dL/dgamma)",
                    sprintf "depth %d: bracket [%g, %g] after 200 iterations" depth lo hi
                )
            )
        else
            let newton = g - f / f'

            let next =
                if f' > 0.0 && newton > lo && newton < hi then
                    newton
                else
                    0.5 * (lo + hi)

            if abs (next - g) <= 1e-9 * next then
                next
            else
                go lo flo hi fhi next (iteration + 1)

    go lo0 flo0 hi0 fhi0 (0.5 * (lo0 + hi0)) 0

/// γ*(N, L, P): the first zero of ∂ℒ/∂γ on [0, 2L/x₊] (the flow from γ = 0 increases γ while
/// ∂ℒ/∂γ < 0 and stops there; Appendix F.2, Eq. 99 at N = D, P = ∞). A march over the octaves
/// γ_j = 2^(j−8)·2L/x₊ brackets the first sign change (a second root inside one octave below the
/// first would be missed; `lossCurveOn` would then find a non-positive rate and raise), then
/// regula falsi (Illinois) refines it. No sign change up to the ceiling raises
/// ConvergenceException.
let stationaryPoint (k: TwoPoint.Kernel) (depth: int) =
    Validate.atLeast "depth" 1 depth
    let ceiling = TwoPoint.gammaCeiling k depth
    let slope0 = slopeAt k depth 0.0

    if slope0 >= 0.0 then
        0.0
    else
        let rec march lo flo j =
            if j > MarchOctaves then
                raise (
                    ConvergenceException(
                        "ScalingLaw.stationaryPoint",
                        sprintf "depth %d: dL/dgamma < 0 up to the ceiling 2L/x+ = %g" depth ceiling
                    )
                )
            else
                let g = ceiling * 2.0 ** float (j - MarchOctaves)
                let f = slopeAt k depth g

                if f >= 0.0 then
                    refineRoot k depth (TwoPoint.lossFrom k 0.0 depth).Loss (abs slope0) lo flo g f
                else
                    march g f (j + 1)

        march 0.0 slope0 0

/// ℒ(γ*) on a kernel valid at depth L (the t → ∞ limit of ℒ(t, N, L, P), Eq. 18 with t = ∞).
let finalLossOn (k: TwoPoint.Kernel) (depth: int) =
    let g = stationaryPoint k depth
    let v = TwoPoint.lossFrom k g depth

    {
        GammaStar = g
        Loss = v.Loss
        ErrorEstimate = v.ErrorEstimate
    }

/// ℒ(γ*(N, L, P)) for the bottleneck b at depth L, to the engine's default tolerance.
let finalLoss (s: Spectrum.Spectrum) (b: TwoPoint.Bottleneck) (depth: int) =
    finalLossOn (TwoPoint.flowKernel TwoPoint.derived s b depth TwoPoint.DefaultTolerance) depth

/// Relative distance ε to γ* at which the flow counts as saturated: ℒ(γ*(1 − ε)) − ℒ* ≈
/// ½|∂ℒ/∂γ|·εγ* there, far below the loss's quadrature error for ε = 1e-4. (Closer to γ* the
/// slope sinks into its own quadrature error, ~1e-21 absolute at D = 2000.)
[<Literal>]
let private SaturationGap = 1e-4

/// The largest u ≤ ln(1/ε) (in whole steps of 1) at which the slope at γ = γ*(1 − e^(−u)) is still
/// negative by more than 1000 times its node-doubling error: beyond it the rate is quadrature noise
/// (on a width-limited landscape ℒ is flat near γ*, and the noise there can have either sign).
let private resolvedGap (k: TwoPoint.Kernel) (depth: int) (gammaStar: float) =
    let resolved (u: float) =
        let v = TwoPoint.slopeFrom k (gammaStar * (1.0 - exp (-u))) depth
        v.Loss < -1000.0 * v.ErrorEstimate

    let rec down (u: float) =
        if u <= 1.0 || resolved u then u else down (u - 1.0)

    down (log (1.0 / SaturationGap))

/// The time t_s at which the flow reaches γ*(1 − ε): t_s = ∫_0^{γ*(1−ε)} dγ / r(γ) with
/// r = −½∂ℒ/∂γ (Eq. 13 time), in the variable γ = γ*(1 − e^(−u)), u ∈ [0, ln(1/ε)], where the
/// integrand γ*e^(−u)/r stays bounded (r ≈ κ(γ* − γ) near the root). The upper end is lowered to
/// where the slope is still resolved (`resolvedGap`); a non-positive rate below it raises
/// ConvergenceException. The quadrature asks for 1e-3 relative: a slope resolved to 1000 times its
/// error carries that much noise into the integrand (on flat, width-limited landscapes the rate is
/// ~1e-18 there), and t_s only marks where the curve switches to ℒ*, already within the gap ε.
let saturationTime (k: TwoPoint.Kernel) (depth: int) (gammaStar: float) =
    Validate.nonNegative "gammaStar" gammaStar

    if gammaStar = 0.0 then
        0.0
    else
        let integrand (u: float) =
            let g = gammaStar * (1.0 - exp (-u))
            let r = -0.5 * slopeAt k depth g

            if r <= 0.0 then
                raise (
                    ConvergenceException(
                        "ScalingLaw.saturationTime",
                        sprintf "depth %d: the rate is not positive at gamma = %g < gamma* = %g" depth g gammaStar
                    )
                )

            gammaStar * exp (-u) / r

        let upper = resolvedGap k depth gammaStar

        (GaussKronrod.integrate "ScalingLaw.saturationTime" 1e-3 0.0 400 integrand 0.0 upper).Value

/// ℒ(t) along the flow at depth L on kernel k: TwoPoint.flowOn up to the saturation time t_s,
/// and (γ*, ℒ*) beyond it (integrating the saturated flow further is stiff and adds nothing).
/// Times ≥ 0 in any order; +∞ gives the final loss.
let lossCurveOn (k: TwoPoint.Kernel) (depth: int) (final: FinalLoss) (times: float[]) =
    Validate.atLeast "depth" 1 depth

    if isNull times || times.Length = 0 then
        raise (InvalidParameterException("times", "an empty array", "at least one time >= 0"))

    times
    |> Array.iter (fun t ->
        if Double.IsNaN t || t < 0.0 then
            raise (InvalidParameterException("times", string t, "numbers >= 0 (or +infinity)")))

    let ts = saturationTime k depth final.GammaStar
    let early = times |> Array.filter (fun t -> t < ts)

    let flowed =
        if early.Length = 0 then
            [||]
        else
            TwoPoint.flowOn k depth early

    let mutable next = 0

    times
    |> Array.map (fun t ->
        if t < ts then
            let p = flowed[next]
            next <- next + 1
            p
        else
            {
                TwoPoint.FlowPoint.T = t
                TwoPoint.FlowPoint.Gamma = final.GammaStar
                TwoPoint.FlowPoint.Loss = final.Loss
            })

// ---------------------------------------------------------------------------------------------
// Figure 5: width-only, depth-only and joint grids
// ---------------------------------------------------------------------------------------------

/// One model shape: width N (1..D), depth L ≥ 1 and context P (None: P → ∞).
type Shape =
    {
        Width: int
        Depth: int
        Context: int option
    }

/// The loss curve of one shape along the flow and its final loss.
type ScalingCurve =
    {
        Shape: Shape
        Flow: TwoPoint.FlowPoint[]
        Final: FinalLoss
    }

let private bottleneckOf (s: Spectrum.Spectrum) (shape: Shape) : TwoPoint.Bottleneck =
    let d = float (Spectrum.modes s)

    {
        AlphaN = float shape.Width / d
        AlphaP = shape.Context |> Option.map (fun p -> float p / d)
    }

/// A kernel for every depth in `depths` at one (N, P): converged at γ = 0, L, half the ceiling and
/// the ceiling 2L/x₊ of the smallest and the largest depth. TwoPoint's contract makes it valid for
/// every (γ, L) with γ²/L up to the largest probe's, which the largest depth's ceiling bounds
/// (γ²/L ≤ 4L/x₊²), so one kernel serves all of them (one kernel per (N, P)).
let kernelForDepths (s: Spectrum.Spectrum) (b: TwoPoint.Bottleneck) (depths: int list) (tolerance: float) =
    if depths.IsEmpty then
        raise (InvalidParameterException("depths", "an empty list", "at least one depth >= 1"))

    depths |> List.iter (Validate.atLeast "depth" 1)
    let struct (edge, _) = TwoPoint.spectralEdge s b

    let probes =
        [ List.min depths; List.max depths ]
        |> List.distinct
        |> List.collect (fun l ->
            let ceiling = 2.0 * float l / edge
            [ 0.0, l; float l, l; 0.5 * ceiling, l; ceiling, l ])

    TwoPoint.kernelFor TwoPoint.derived s b probes tolerance

/// Loss curves (at `times`, any order, +∞ allowed) and final losses for every shape, one kernel
/// per (N, P). `report done total` is called after each shape.
let curves
    (s: Spectrum.Spectrum)
    (shapes: Shape list)
    (times: float[])
    (tolerance: float)
    (report: int -> int -> unit)
    =
    let total = shapes.Length
    let mutable finished = 0

    let byBottleneck =
        shapes
        |> List.groupBy (fun sh -> sh.Width, sh.Context)
        |> List.collect (fun (_, group) ->
            let b = bottleneckOf s group.Head
            TwoPoint.validate s b
            let k = kernelForDepths s b (group |> List.map (fun sh -> sh.Depth)) tolerance

            group
            |> List.map (fun sh ->
                let final = finalLossOn k sh.Depth

                let curve =
                    {
                        Shape = sh
                        Flow = lossCurveOn k sh.Depth final times
                        Final = final
                    }

                finished <- finished + 1
                report finished total
                curve))
        |> List.map (fun c -> c.Shape, c)
        |> dict

    shapes |> List.map (fun sh -> byBottleneck[sh])

/// Figure 5a: width N varies at fixed depth L (a depth bottleneck appears).
let widthGrid (s: Spectrum.Spectrum) (depth: int) (widths: int list) (context: int option) (times: float[]) =
    curves
        s
        (widths
         |> List.map (fun n ->
             {
                 Width = n
                 Depth = depth
                 Context = context
             }))
        times
        1e-8
        (fun _ _ -> ())

/// Figure 5b: depth L varies at fixed width N (a width bottleneck appears).
let depthGrid (s: Spectrum.Spectrum) (width: int) (depths: int list) (context: int option) (times: float[]) =
    curves
        s
        (depths
         |> List.map (fun l ->
             {
                 Width = width
                 Depth = l
                 Context = context
             }))
        times
        1e-8
        (fun _ _ -> ())

/// The joint path of Figure 5c and Result 8: L = max(1, round(L₀(N/N₀)^ν)) for each width N.
let jointShapes (nu: float) (width0: int) (depth0: int) (widths: int list) (context: int option) =
    Validate.positive "nu" nu
    Validate.atLeast "width0" 1 width0
    Validate.atLeast "depth0" 1 depth0

    widths
    |> List.map (fun n ->
        {
            Width = n
            Depth = max 1 (int (Math.Round(float depth0 * (float n / float width0) ** nu)))
            Context = context
        })

/// Figure 5c: width and depth grow together along `jointShapes`.
let jointGrid
    (s: Spectrum.Spectrum)
    (nu: float)
    (width0: int)
    (depth0: int)
    (widths: int list)
    (context: int option)
    (times: float[])
    =
    curves s (jointShapes nu width0 depth0 widths context) times 1e-8 (fun _ _ -> ())

// ---------------------------------------------------------------------------------------------
// The Chinchilla fit of Eq. 18
// ---------------------------------------------------------------------------------------------

/// The learning rate η of the flow dγ/dt = −(η/2)∂ℒ/∂γ at width N. The paper (Eqs. 13–14) states
/// none beyond η = 1 (`Constant`). With Γ = γAAᵀ and a rank-N map the early rate is α_N tr Λ²Ω and
/// ℒ depends on α_Nγ, so the engine's flow at η = 1 runs on the clock α_N²t; `WidthScaled`
/// (η = (D/N)² = α_N⁻²) removes that factor, the convention under which Eq. 18's time term can be
/// independent of N (theory/scaling-law.md).
type LearningRate =
    | Constant
    | WidthScaled

/// The engine's flow time (η = 1) reached after training time t at width N of D: ηt.
let engineTime (rate: LearningRate) (dim: int) (width: float) (t: float) =
    match rate with
    | Constant -> t
    | WidthScaled -> t * (float dim / width) ** 2.0

/// The training time t at which the engine's flow time (η = 1) is τ: τ/η.
let trainingTime (rate: LearningRate) (dim: int) (width: float) (tau: float) =
    match rate with
    | Constant -> tau
    | WidthScaled -> tau * (width / float dim) ** 2.0

/// A loss observed at resources r_i (in the order of the law's names, e.g. t, N, L[, P]); a
/// resource at +∞ contributes no term (t = ∞: the final loss; P = ∞: no context bottleneck).
type Observation = { Resources: float[]; Loss: float }

/// The widths of the Result 8 grids: D/q for q = 64, 32, …, down to q = `smallestDivisor`
/// (doubling, at least 1, distinct).
let doublingWidths (dim: int) (smallestDivisor: int) =
    [ 64; 32; 16; 8; 4; 2; 1 ]
    |> List.filter (fun q -> q >= smallestDivisor)
    |> List.map (fun q -> max 1 (dim / q))
    |> List.distinct

/// The times of the Result 8 fit grid: 21 log-spaced t ∈ [D/200, 5·10⁷D] (the Eq. 13 time of
/// normalized traces grows like D) and t = ∞ (the final loss).
let fitTimes (dim: int) =
    let d = float dim
    Array.append (PowerLawFit.logSpace (d / 200.0) (5e7 * d) 21) [| infinity |]

/// The observations (t, N, L) → ℒ of a fit: every point of the curves past the initial plateau,
/// ℒ ≤ ½ℒ(0) (t^(−a_t) cannot describe the plateau), with the engine's flow time converted to the
/// training time t of the learning rate `rate` (t = ∞ for final losses).
let fitObservations (rate: LearningRate) (dim: int) (lossAtZero: float) (curves: ScalingCurve list) =
    [|
        for c in curves do
            let n = float c.Shape.Width

            for p in c.Flow do
                if p.Loss <= 0.5 * lossAtZero then
                    {
                        Resources = [| trainingTime rate dim n p.T; n; float c.Shape.Depth |]
                        Loss = p.Loss
                    }
    |]

/// ℒ = Σ_i c_i r_i^(−a_i) (Eq. 18) with named resources.
type ChinchillaLaw =
    {
        Names: string[]
        Coefficients: float[]
        Exponents: float[]
    }

/// The value of the law at resources r (Eq. 18); a resource at +∞ contributes 0.
let lawValue (law: ChinchillaLaw) (resources: float[]) =
    if resources.Length <> law.Names.Length then
        raise (
            InvalidParameterException(
                "resources",
                sprintf "an array of length %d" resources.Length,
                sprintf "one value per resource (%d)" law.Names.Length
            )
        )

    Array.mapi2
        (fun i c r ->
            if Double.IsPositiveInfinity r then
                0.0
            else
                c * r ** -law.Exponents[i])
        law.Coefficients
        resources
    |> Array.sum

/// One fitted exponent with its bootstrap percentile interval [Low, High].
type ExponentEstimate =
    {
        Name: string
        Coefficient: float
        Exponent: float
        Low: float
        High: float
    }

/// The robust fit: the law, an interval per exponent, the Huber objective at the optimum, the RMS
/// log residual, and the sizes behind it.
type ChinchillaFit =
    {
        Law: ChinchillaLaw
        Estimates: ExponentEstimate[]
        Objective: float
        RmsLogResidual: float
        Points: int
        Replicates: int
        Level: float
    }

/// Options of the fit: the Huber threshold δ on log residuals, bootstrap replicates, seed and the
/// coverage of the percentile intervals.
type FitOptions =
    {
        HuberDelta: float
        Replicates: int
        Seed: int
        Level: float
    }

/// δ = 1e-3 (as Hoffmann et al. for Chinchilla), 200 replicates, seed 1, 95% intervals.
let defaultFitOptions =
    {
        HuberDelta = 1e-3
        Replicates = 200
        Seed = 1
        Level = 0.95
    }

/// ln r_i per observation; −∞ marks r_i = +∞ (no term).
let private logResources (obs: Observation[]) =
    obs
    |> Array.map (fun o ->
        o.Resources
        |> Array.map (fun r ->
            if Double.IsPositiveInfinity r then
                Double.NegativeInfinity
            else
                log r))

/// The Huber function h_δ(e) = e²/2 (|e| ≤ δ), δ(|e| − δ/2) beyond.
let private huber (delta: float) (e: float) =
    let a = abs e

    if a <= delta then
        0.5 * e * e
    else
        delta * (a - 0.5 * delta)

/// Residuals e_j = ln ℒ̂_j − ln ℒ_j and the Jacobian of e in x = (ln c_1..ln c_m, a_1..a_m):
/// ∂e/∂ln c_i = T_i/ℒ̂, ∂e/∂a_i = −ln r_i·T_i/ℒ̂ with T_i = c_i r_i^(−a_i).
let private residuals (lnR: float[][]) (lnY: float[]) (rows: int[]) (x: float[]) (withJacobian: bool) =
    let m = x.Length / 2
    let e = Array.zeroCreate rows.Length

    let jac =
        if withJacobian then
            Array2D.zeroCreate rows.Length (2 * m)
        else
            null

    let terms = Array.zeroCreate m

    rows
    |> Array.iteri (fun row j ->
        let mutable total = 0.0

        for i in 0 .. m - 1 do
            let lr = lnR[j][i]

            terms[i] <-
                if Double.IsNegativeInfinity lr then
                    0.0
                else
                    exp (x[i] - x[m + i] * lr)

            total <- total + terms[i]

        e[row] <- log total - lnY[j]

        if withJacobian then
            for i in 0 .. m - 1 do
                let share = terms[i] / total
                jac[row, i] <- share
                jac[row, m + i] <- if terms[i] = 0.0 then 0.0 else -lnR[j][i] * share)

    e, jac

let private objective (delta: float) (e: float[]) = e |> Array.sumBy (huber delta)

/// Levenberg–Marquardt on the Huber objective by iteratively reweighted Gauss–Newton: weights
/// w = min(1, δ/|e|), step (JᵀWJ + μ diag JᵀWJ)Δ = −JᵀWe, accepted when the Huber objective
/// decreases. Converged when the relative decrease falls below 1e-10 or no damped step
/// decreases it (μ > 1e12); more than 2000 iterations raise ConvergenceException.
let private levenbergMarquardt (delta: float) (lnR: float[][]) (lnY: float[]) (rows: int[]) (x0: float[]) =
    let p = x0.Length

    let rec go (x: float[]) (mu: float) (value: float) iteration =
        if iteration > 2000 then
            raise (
                ConvergenceException(
                    "ScalingLaw.fit (Levenberg-Marquardt on the Huber loss)",
                    sprintf "%d points, %d parameters: no convergence in 2000 iterations" rows.Length p
                )
            )

        let e, jac = residuals lnR lnY rows x true
        let w = e |> Array.map (fun r -> if abs r <= delta then 1.0 else delta / abs r)
        let a = Array2D.zeroCreate p p
        let g = Array.zeroCreate p

        for r in 0 .. e.Length - 1 do
            for i in 0 .. p - 1 do
                let wi = w[r] * jac[r, i]
                g[i] <- g[i] + wi * e[r]

                for k in i .. p - 1 do
                    a[i, k] <- a[i, k] + wi * jac[r, k]

        for i in 0 .. p - 1 do
            for k in 0 .. i - 1 do
                a[i, k] <- a[k, i]

        let rec tryStep (mu: float) =
            if mu > 1e12 then
                None
            else
                let damped =
                    Matrix<float>
                        .Build.DenseOfArray(
                            Array2D.init p p (fun i k -> a[i, k] + (if i = k then mu * (a[i, i] + 1e-300) else 0.0))
                        )

                let step =
                    damped.Solve(Vector<float>.Build.DenseOfArray(g |> Array.map (fun v -> -v)))

                let candidate = Array.init p (fun i -> x[i] + step[i])

                if candidate |> Array.forall Double.IsFinite then
                    let ec, _ = residuals lnR lnY rows candidate false
                    let v = objective delta ec

                    if Double.IsFinite v && v < value then
                        Some(candidate, v, mu)
                    else
                        tryStep (mu * 4.0 + 1e-9)
                else
                    tryStep (mu * 4.0 + 1e-9)

        match tryStep mu with
        | None -> x, value
        | Some(next, v, muUsed) ->
            if value - v <= 1e-10 * value then
                next, v
            else
                go next (muUsed / 3.0) v (iteration + 1)

    let e0, _ = residuals lnR lnY rows x0 false
    go x0 1e-3 (objective delta e0) 0

/// Starting exponents of the multi-start search, for every resource.
let private startExponents = [| 0.2; 0.5; 1.0; 2.0 |]

/// Every combination of the starting exponents over m resources.
let rec private combinations (m: int) : float list list =
    if m = 0 then
        [ [] ]
    else
        [
            for a in startExponents do
                for rest in combinations (m - 1) -> a :: rest
        ]

/// Initial ln c_i so that each term is (median ℒ)/m at the median finite resource.
let private initialCoefficients (lnR: float[][]) (lnY: float[]) (exponents: float[]) =
    let m = exponents.Length
    let median (xs: float[]) = (Array.sort xs)[xs.Length / 2]
    let lnShare = median lnY - log (float m)

    Array.init m (fun i ->
        let finite = lnR |> Array.map (fun r -> r[i]) |> Array.filter Double.IsFinite

        let typical = if finite.Length = 0 then 0.0 else median finite
        lnShare + exponents[i] * typical)

let private percentile (sorted: float[]) (q: float) =
    let pos = q * float (sorted.Length - 1)
    let i = int (floor pos)
    let j = min (sorted.Length - 1) (i + 1)
    sorted[i] + (pos - float i) * (sorted[j] - sorted[i])

let private validateObservations (names: string[]) (obs: Observation[]) =
    if isNull names || names.Length = 0 then
        raise (InvalidParameterException("names", "an empty array", "at least one resource name"))

    if isNull obs || obs.Length < 2 * names.Length + 1 then
        raise (
            InvalidParameterException(
                "observations",
                sprintf "%d points" (if isNull obs then 0 else obs.Length),
                sprintf "at least %d points (2 parameters per resource, plus one)" (2 * names.Length + 1)
            )
        )

    obs
    |> Array.iteri (fun j o ->
        if o.Resources.Length <> names.Length then
            raise (
                InvalidParameterException(
                    sprintf "observations[%d].Resources" j,
                    sprintf "length %d" o.Resources.Length,
                    sprintf "one value per resource (%d)" names.Length
                )
            )

        if not (Double.IsFinite o.Loss) || o.Loss <= 0.0 then
            raise (InvalidParameterException(sprintf "observations[%d].Loss" j, string o.Loss, "a finite number > 0"))

        if
            o.Resources
            |> Array.exists (fun r -> Double.IsNaN r || r <= 0.0 || Double.IsNegativeInfinity r)
        then
            raise (
                InvalidParameterException(
                    sprintf "observations[%d].Resources" j,
                    "a value <= 0",
                    "numbers > 0 or +infinity"
                )
            )

        if o.Resources |> Array.forall Double.IsPositiveInfinity then
            raise (
                InvalidParameterException(
                    sprintf "observations[%d].Resources" j,
                    "all +infinity",
                    "at least one finite resource (else Eq. 18 predicts 0)"
                )
            ))

let private lawOf (names: string[]) (x: float[]) =
    let m = names.Length

    {
        Names = Array.copy names
        Coefficients = Array.init m (fun i -> exp x[i])
        Exponents = Array.init m (fun i -> x[m + i])
    }

/// Fits ℒ ≈ Σ_i c_i r_i^(−a_i) (Eq. 18) to the observations: Huber loss on log residuals minimized
/// by Levenberg–Marquardt from every start a_i ∈ {0.2, 0.5, 1, 2} (ln c_i in log space; a start
/// that drifts without converging, e.g. towards a vanishing term, is dropped, and ConvergenceException
/// is raised only when no start converges), then
/// `Replicates` bootstrap refits (points resampled with replacement, seeded Random, each started at
/// the full-data optimum) giving percentile intervals at `Level`. `report done total` after each
/// replicate.
let fitWith (options: FitOptions) (names: string[]) (obs: Observation[]) (report: int -> int -> unit) =
    validateObservations names obs
    Validate.positive "huberDelta" options.HuberDelta
    Validate.atLeast "replicates" 20 options.Replicates
    Validate.inRange "level" 0.5 0.999 options.Level
    let m = names.Length
    let lnR = logResources obs
    let lnY = obs |> Array.map (fun o -> log o.Loss)
    let all = Array.init obs.Length id

    let fitRows rows x0 =
        levenbergMarquardt options.HuberDelta lnR lnY rows x0

    let starts = combinations m

    let converged =
        starts
        |> List.choose (fun a ->
            let a = Array.ofList a

            try
                Some(fitRows all (Array.append (initialCoefficients lnR lnY a) a))
            with :? ConvergenceException ->
                None)

    if converged.IsEmpty then
        raise (
            ConvergenceException(
                "ScalingLaw.fit (Levenberg-Marquardt on the Huber loss)",
                sprintf "%d points, %d resources: none of the %d starts converged" obs.Length m starts.Length
            )
        )

    let best, bestValue = converged |> List.minBy snd

    let rng = Random(options.Seed)

    let replicates =
        Array.init options.Replicates (fun r ->
            let rows = Array.init obs.Length (fun _ -> rng.Next obs.Length)
            let x, _ = fitRows rows best
            report (r + 1) options.Replicates
            x)

    let tail = 0.5 * (1.0 - options.Level)

    let interval (i: int) =
        let sorted = replicates |> Array.map (fun x -> x[i]) |> Array.sort
        percentile sorted tail, percentile sorted (1.0 - tail)

    let law = lawOf names best
    let e, _ = residuals lnR lnY all best false

    {
        Law = law
        Estimates =
            Array.init m (fun i ->
                let lo, hi = interval (m + i)

                {
                    Name = names[i]
                    Coefficient = law.Coefficients[i]
                    Exponent = law.Exponents[i]
                    Low = lo
                    High = hi
                })
        Objective = bestValue
        RmsLogResidual = sqrt (e |> Array.averageBy (fun r -> r * r))
        Points = obs.Length
        Replicates = options.Replicates
        Level = options.Level
    }

/// `fitWith defaultFitOptions`.
let fit (names: string[]) (obs: Observation[]) =
    fitWith defaultFitOptions names obs (fun _ _ -> ())

// ---------------------------------------------------------------------------------------------
// The compute-optimal frontier
// ---------------------------------------------------------------------------------------------

/// The optimum at one compute C: width N*, depth L*, time t* = C/(N*²L*) and ℒ*; Interior is false
/// when the grid minimum lies on the edge of the (N, L) grid (then N*, L* are that grid point).
type FrontierPoint =
    {
        Compute: float
        Width: float
        Depth: float
        Time: float
        Loss: float
        Interior: bool
    }

/// Losses on a grid: Loss[c, i, j] = ℒ(t = C_c/(N_i² L_j), N_i, L_j) (C = t·N²·L; for fixed finite
/// P, C = t·P²·N²·L only rescales C).
type FrontierGrid =
    {
        Computes: float[]
        Widths: float[]
        Depths: float[]
        Loss: float[,,]
    }

/// The time of a grid cell: t = C/(N²L).
let frontierTime (compute: float) (width: float) (depth: float) = compute / (width * width * depth)

/// Least-squares quadratic q(x, y) = c0 + c1x + c2y + c3x² + c4xy + c5y² through the points.
let private quadraticFit (points: (float * float * float)[]) =
    let rows =
        points |> Array.map (fun (x, y, _) -> [| 1.0; x; y; x * x; x * y; y * y |])

    let a = Matrix<float>.Build.DenseOfRowArrays rows
    let z = Vector<float>.Build.DenseOfArray(points |> Array.map (fun (_, _, v) -> v))
    (a.QR().Solve z).ToArray()

/// The local refinement of a grid minimum (i, j) in (ln N, ln L): the stationary point of the
/// least-squares quadratic of ln ℒ over the 3×3 neighbourhood, when it is a minimum inside that
/// neighbourhood; else the grid point.
let private refine (g: FrontierGrid) (c: int) (i: int) (j: int) =
    let x = g.Widths |> Array.map log
    let y = g.Depths |> Array.map log

    let pts =
        [|
            for di in -1 .. 1 do
                for dj in -1 .. 1 -> x[i + di], y[j + dj], log g.Loss[c, i + di, j + dj]
        |]

    let q = quadraticFit pts
    let det = 4.0 * q[3] * q[5] - q[4] * q[4]

    if q[3] > 0.0 && det > 0.0 then
        let xs = (q[4] * q[2] - 2.0 * q[5] * q[1]) / det
        let ys = (q[4] * q[1] - 2.0 * q[3] * q[2]) / det

        if xs >= x[i - 1] && xs <= x[i + 1] && ys >= y[j - 1] && ys <= y[j + 1] then
            let value =
                q[0] + q[1] * xs + q[2] * ys + q[3] * xs * xs + q[4] * xs * ys + q[5] * ys * ys

            Some(exp xs, exp ys, exp value)
        else
            None
    else
        None

/// For each compute C, the grid minimum of ℒ over (N, L), refined locally (quadratic in
/// (ln N, ln L)) when it is interior.
let frontierOf (g: FrontierGrid) =
    let nw, nd = g.Widths.Length, g.Depths.Length

    g.Computes
    |> Array.mapi (fun c compute ->
        let mutable bi, bj = 0, 0

        for i in 0 .. nw - 1 do
            for j in 0 .. nd - 1 do
                if g.Loss[c, i, j] < g.Loss[c, bi, bj] then
                    bi <- i
                    bj <- j

        let interior = bi > 0 && bi < nw - 1 && bj > 0 && bj < nd - 1

        let refined = if interior then refine g c bi bj else None

        let n, l, loss =
            refined |> Option.defaultValue (g.Widths[bi], g.Depths[bj], g.Loss[c, bi, bj])

        {
            Compute = compute
            Width = n
            Depth = l
            Time = frontierTime compute n l
            Loss = loss
            Interior = interior
        })

/// The least-squares slope of ln y against ln x: None with fewer than 3 points or no spread in x.
let logLogSlope (xs: float[]) (ys: float[]) =
    if xs.Length < 3 then
        None
    else
        let x = xs |> Array.map log
        let y = ys |> Array.map log
        let mx, my = Array.average x, Array.average y
        let sxx = x |> Array.sumBy (fun v -> (v - mx) * (v - mx))

        if sxx <= 1e-24 then
            None
        else
            Some((Array.map2 (fun a b -> (a - mx) * (b - my)) x y |> Array.sum) / sxx)

/// The slope d ln L*/d ln N* along the frontier (least squares over interior points, at least 3);
/// Result 8 predicts ν. None with fewer than 3 interior points or no spread in N*.
let frontierSlope (points: FrontierPoint[]) =
    let inner = points |> Array.filter (fun p -> p.Interior)
    logLogSlope (inner |> Array.map (fun p -> p.Width)) (inner |> Array.map (fun p -> p.Depth))

/// The frontier grid of a known law ℒ(t, N, L) (for example a fitted or synthetic Eq. 18).
let lawFrontierGrid (loss: float -> float -> float -> float) (computes: float[]) (widths: float[]) (depths: float[]) =
    {
        Computes = computes
        Widths = widths
        Depths = depths
        Loss =
            Array3D.init computes.Length widths.Length depths.Length (fun c i j ->
                loss (frontierTime computes[c] widths[i] depths[j]) widths[i] depths[j])
    }

/// The engine's frontier grid at P → ∞: for each (N, L) one flow evaluated at every training
/// time t = C/(N²L) under the learning rate `rate` (one kernel per N).
let engineFrontierGrid
    (s: Spectrum.Spectrum)
    (rate: LearningRate)
    (computes: float[])
    (widths: int list)
    (depths: int list)
    (tolerance: float)
    (report: int -> int -> unit)
    =
    computes |> Array.iter (Validate.positive "compute")

    let total = widths.Length * depths.Length
    let mutable finished = 0
    let w = widths |> List.map float |> Array.ofList
    let d = depths |> List.map float |> Array.ofList
    let loss = Array3D.zeroCreate computes.Length w.Length d.Length

    widths
    |> List.iteri (fun i n ->
        let b = bottleneckOf s { Width = n; Depth = 1; Context = None }
        TwoPoint.validate s b
        let k = kernelForDepths s b depths tolerance

        depths
        |> List.iteri (fun j l ->
            let final = finalLossOn k l

            let times =
                computes
                |> Array.map (fun c -> engineTime rate (Spectrum.modes s) w[i] (frontierTime c w[i] d[j]))

            let flow = lossCurveOn k l final times
            flow |> Array.iteri (fun c p -> loss[c, i, j] <- p.Loss)
            finished <- finished + 1
            report finished total))

    {
        Computes = computes
        Widths = w
        Depths = d
        Loss = loss
    }

// ---------------------------------------------------------------------------------------------
// Bottleneck asymptotes (Appendix F.2, F.4)
// ---------------------------------------------------------------------------------------------

/// The width bottleneck at t, L, P → ∞ (Eqs. 111, 113): κ solves tr Λ(Λ + κ)⁻¹ = α_N = N/D
/// (TwoPoint.kappaForDf), and ℒ_N = tr κ²ΛΩ(Λ + κ)⁻² (normalized traces), ~ N^(−νβ) on the power law.
let widthBottleneck (s: Spectrum.Spectrum) (width: int) =
    let d = Spectrum.modes s
    Validate.atLeast "width" 1 width

    if width > d then
        raise (InvalidParameterException("width", string width, sprintf "an integer in [1, D = %d]" d))

    if width = d then
        0.0
    else
        let alphaN = float width / float d

        let kappa = TwoPoint.kappaForDf s.Lambda alphaN
        Spectrum.normalizedTrace s (fun l w -> kappa * kappa * l * w / ((l + kappa) * (l + kappa)))

/// The depth bottleneck at t, N, P → ∞ (Eqs. 98–100): ℒ(γ*) of Eq. 98 at depth L
/// (RrsTheory.depthOptimum), ~ L^(−β) on the power law.
let depthBottleneck (s: Spectrum.Spectrum) (depth: int) =
    (RrsTheory.depthOptimum s depth).LossStar

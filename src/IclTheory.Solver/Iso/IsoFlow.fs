/// Gradient flow of γ on the ISO landscape (Result 1, Eq. 7; Appendix C.2, Eq. 82–83),
/// from γ(0) = 0 (Γ(0) = 0).
module IclTheory.Solver.IsoFlow

open System

/// The paper's two printed time scales. Eq7: dΓ/dt = -(1/2)∂ℒ/∂Γ, i.e. dγ/dt = -(1/2)ℒ'(γ)
/// (Eq. 7; online SGD of Eq. 62 with step η follows this flow at t = η·steps). Eq83: the
/// printed Eq. 82–83, dγ/dt = -ℒ'(γ), twice as fast (γ_Eq83(t) = γ_Eq7(2t)).
type TimeConvention =
    | Eq7
    | Eq83

/// γ(t) and the reducible loss ℒ(γ(t)) of Eq. 83 at flow time T.
type FlowPoint = { T: float; Gamma: float; Loss: float }

let private factor (convention: TimeConvention) =
    match convention with
    | Eq7 -> 0.5
    | Eq83 -> 1.0

/// dγ/dt: -(1/2)ℒ'(γ) (Eq7, Eq. 7 with the σ² term of Eq. 83) or -ℒ'(γ) (Eq83, Eq. 83).
let rate (p: IsoParams) (convention: TimeConvention) (gamma: float) =
    -(factor convention) * IsoLandscape.derivative p gamma

let private describe (p: IsoParams) (convention: TimeConvention) =
    sprintf "alpha = %g, depth = %A, sigma2 = %g, convention = %A" p.Alpha p.Depth p.Sigma2 convention

let private validateTimes (times: float[]) =
    if isNull times then
        raise (InvalidParameterException("times", "null", "an array of finite times >= 0"))

    times |> Array.iter (Validate.nonNegative "times")

/// The requested times in increasing order, with their positions in the request.
let private sortedOrder (times: float[]) =
    Array.init times.Length id |> Array.sortBy (fun i -> times[i])

let private assemble (p: IsoParams) (times: float[]) (order: int[]) (gammas: float[]) =
    let result = Array.zeroCreate times.Length

    order
    |> Array.iteri (fun k i ->
        result[i] <-
            {
                T = times[i]
                Gamma = gammas[k]
                Loss = IsoLandscape.loss p gammas[k]
            })

    result

[<Literal>]
let private Tolerance = 1e-12

/// A monotone time map t(v) = ∫_0^v φ along a variable v with γ = gammaOf v, tabulated on
/// panels [v_k, v_k+1] (adaptive Gauss–Kronrod), and inverted per requested time by
/// safeguarded Newton (dt/dv = φ > 0) inside its panel.
type private TimeMap =
    {
        Phi: float -> float
        /// Absolute tolerance for ∫φ on a panel starting at v (a t-error δ moves γ by f·δ).
        AbsTol: float -> float
        GammaOf: float -> float
        Knots: ResizeArray<float>
        Times: ResizeArray<float>
    }

let private panelIntegral (what: string) (map: TimeMap) (a: float) (b: float) =
    (GaussKronrod.integrate what Tolerance (map.AbsTol a) 4000 map.Phi a b).Value

/// Solves T_k + ∫_{v_k}^{v} φ = t for v in [v_k, v_k+1].
let private invertInPanel (what: string) (map: TimeMap) (k: int) (t: float) =
    let vk = map.Knots[k]
    let tk = map.Times[k]

    let rec loop lo hi v iteration =
        let residual = tk + panelIntegral what map vk v - t
        let lo, hi = if residual < 0.0 then v, hi else lo, v
        let slope = map.Phi v
        let candidate = v - residual / slope

        let next =
            if candidate > lo && candidate < hi then
                candidate
            else
                0.5 * (lo + hi)

        if
            abs (next - v) <= 1e-15 * max 1.0 (abs v)
            || hi - lo <= 4.0 * Precision.MachineEpsilon * max 1.0 hi
        then
            next
        elif iteration >= 200 then
            raise (
                ConvergenceException(
                    "IsoFlow.byQuadrature",
                    sprintf "%s: inversion of t(gamma) stalled at t = %g" what t
                )
            )
        else
            loop lo hi next (iteration + 1)

    let start = vk + (t - tk) / map.Phi vk
    let vNext = map.Knots[k + 1]

    loop
        vk
        vNext
        (if start > vk && start < vNext then
             start
         else
             0.5 * (vk + vNext))
        0

/// Exact flow by quadrature: t(γ) = ∫_0^γ dg / f(g) with f = dγ/dt (Eq. 7 or 83), inverted
/// at the requested times (any order, each finite and ≥ 0).
/// Finite γ*: with γ = γ*(1 - e^(-u)), t = ∫_0^u γ*e^(-w)/f(γ(w)) dw has a smooth integrand
/// tending to 1/κ, κ = -f'(γ*) = factor·ℒ''(γ*); it is tabulated on unit panels up to u = 14
/// and continued by φ ≈ 1/κ + βe^(-u) (β matched at u = 14; neglected terms are O(e^(-2u)),
/// below 1e-12 relative in γ). Panel tolerance: 1e-12 relative, or 1e-12·e^u/κ absolute
/// (late panels: f is only known to rounding there, and a t-error δ moves γ by
/// f·δ ≈ κγ*e^(-u)·δ). Infinite depth with σ² = 0 (γ* = ∞): panels in γ itself, with
/// widths growing by 25 %.
let byQuadrature (p: IsoParams) (convention: TimeConvention) (times: float[]) =
    IsoLandscape.validate p
    validateTimes times
    let what = describe p convention
    let order = sortedOrder times
    let sorted = order |> Array.map (fun i -> times[i])
    let tMax = if sorted.Length = 0 then 0.0 else sorted[sorted.Length - 1]
    let f gamma = rate p convention gamma
    let optimum = IsoLandscape.optimum p

    let gammas =
        if Double.IsFinite optimum.GammaStar then
            let gammaStar = optimum.GammaStar
            let kappa = factor convention * IsoLandscape.secondDerivative p gammaStar

            let phi u =
                gammaStar * exp -u / f (-gammaStar * Precision.expm1 -u)

            let uSwitch = 14.0

            let map =
                {
                    Phi = phi
                    AbsTol = fun u -> Tolerance * exp u / kappa
                    GammaOf = fun u -> -gammaStar * Precision.expm1 -u
                    Knots = ResizeArray [ 0.0 ]
                    Times = ResizeArray [ 0.0 ]
                }

            while map.Knots[map.Knots.Count - 1] < uSwitch
                  && map.Times[map.Times.Count - 1] < tMax do
                let a = map.Knots[map.Knots.Count - 1]
                map.Times.Add(map.Times[map.Times.Count - 1] + panelIntegral what map a (a + 1.0))
                map.Knots.Add(a + 1.0)

            let beta = (phi uSwitch - 1.0 / kappa) * exp uSwitch
            let last = map.Knots.Count - 1

            let tail t =
                // t = T_S + (u - uS)/κ + β(e^(-uS) - e^(-u)), solved for u by Newton.
                let tS = map.Times[last]
                let mutable u = uSwitch + kappa * (t - tS)

                for _ in 1..50 do
                    let g = tS + (u - uSwitch) / kappa + beta * (exp -uSwitch - exp -u) - t
                    u <- u - g / (1.0 / kappa + beta * exp -u)

                u

            sorted
            |> Array.map (fun t ->
                if t = 0.0 then
                    0.0
                elif map.Knots[last] >= uSwitch && t >= map.Times[last] then
                    map.GammaOf(tail t)
                else
                    let k = (Seq.findIndex (fun tk -> tk >= t) map.Times) - 1
                    map.GammaOf(invertInPanel what map k t))
        else
            let lower, upper = MarchenkoPastur.edges p.Alpha

            let map =
                {
                    Phi = fun gamma -> 1.0 / f gamma
                    AbsTol = fun _ -> 0.0
                    GammaOf = id
                    Knots = ResizeArray [ 0.0 ]
                    Times = ResizeArray [ 0.0 ]
                }

            while map.Times[map.Times.Count - 1] < tMax do
                let a = map.Knots[map.Knots.Count - 1]
                let b = a + max (0.5 / (upper + lower)) (0.25 * a)
                map.Times.Add(map.Times[map.Times.Count - 1] + panelIntegral what map a b)
                map.Knots.Add b

            sorted
            |> Array.map (fun t ->
                if t = 0.0 then
                    0.0
                else
                    let k = (Seq.findIndex (fun tk -> tk >= t) map.Times) - 1
                    invertInPanel what map (max 0 k) t)

    assemble p times order gammas

/// The same flow by the generic adaptive Dormand–Prince 5(4) solver (Numerics/Ode.fs) on
/// dγ/dt = f(γ), γ(0) = 0, with relative tolerance 1e-12; a failed run (MaxIters,
/// StepTooSmall, Unstable) is raised as ConvergenceException with the parameters.
let byRungeKutta (p: IsoParams) (convention: TimeConvention) (times: float[]) =
    IsoLandscape.validate p
    validateTimes times
    let order = sortedOrder times
    let sorted = order |> Array.map (fun i -> times[i])

    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> [| rate p convention y[0] |]
            T0 = 0.0
            Y0 = [| 0.0 |]
        }

    let options =
        { Ode.defaultOptions with
            RelTol = 1e-12
            AbsTol = 1e-15
        }

    let solution = Ode.solve Ode.dormandPrince54 options problem sorted

    if solution.ReturnCode <> Ode.Success then
        raise (
            ConvergenceException(
                "IsoFlow.byRungeKutta",
                sprintf
                    "%s: return code %A after %d accepted and %d rejected steps"
                    (describe p convention)
                    solution.ReturnCode
                    solution.AcceptedSteps
                    solution.RejectedSteps
            )
        )

    assemble p times order (solution.States |> Array.map (fun y -> y[0]))

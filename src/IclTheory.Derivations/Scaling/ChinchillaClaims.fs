/// Result 8 as a whole: the additive Chinchilla form of Eq. 18 fitted to the finite-(t, N, L)
/// engine, and the compute-optimal shape L ∝ N^ν at C = t·P²·N²·L, under the paper's learning rate
/// (η = 1) and under a width-scaled one (η = (D/N)²). The single-resource limits that Result 8
/// states ("taking any three of the resources to infinity") are checked by the exponent nodes
/// (exp-rrs-time, exp-depth, exp-width, exp-context) and eq113-116-limits.
module IclTheory.Derivations.ChinchillaClaims

open IclTheory.Solver
open IclTheory.Symbolic

/// The derived exponent of a claim of PaperExponents evaluated at (ν, β).
let private derivedValue (id: string) (nu: float) (beta: float) =
    let claim =
        PaperExponents.claims
        |> List.tryFind (fun c -> c.Id = id)
        |> Option.defaultWith (fun () -> failwithf "no exponent claim '%s' in PaperExponents" id)

    match claim.Derived with
    | Some(Ok law) -> Evaluate.evaluate (Map [ "nu", nu; "beta", beta ]) law.Exponent
    | _ -> failwithf "the exponent claim '%s' has no derivation" id

/// Eq. 18's loss exponents a_t, a_N, a_L (ℒ ~ r^(−a)) from the symbolic derivations "rrs-time"
/// (Eq. 97), "width" (Eq. 113) and "depth" (Eq. 100), and Result 8's shape exponent ("shape-fixed-P").
let symbolicExponents (nu: float) (beta: float) =
    [
        "t", -(derivedValue "rrs-time" nu beta)
        "N", -(derivedValue "width" nu beta)
        "L", -(derivedValue "depth" nu beta)
    ],
    derivedValue "shape-fixed-P" nu beta

/// The grid of the check: widths D/64 … D/4 for the fit (D/64 … D for the frontier), depths
/// 1 … 64, 21 times in [D/200, 5·10⁷D] plus t = ∞, 13 computes in [1.25D³, 1.25·10⁶D³].
type private Grid =
    {
        Widths: int list
        FrontierWidths: int list
        Depths: int list
        Times: float[]
        Computes: float[]
    }

let private gridFor (dim: int) =
    let d = float dim

    {
        Widths = ScalingLaw.doublingWidths dim 4
        FrontierWidths = ScalingLaw.doublingWidths dim 1
        Depths = [ 1; 2; 4; 8; 16; 32; 64 ]
        Times = ScalingLaw.fitTimes dim
        Computes = PowerLawFit.logSpace (1.25 * d * d * d) (1.25e6 * d * d * d) 13
    }

/// The fit rows (one per exponent, symbolic value against the bootstrap interval) and the frontier
/// row of one learning rate.
let private rowsFor
    (s: Spectrum.Spectrum)
    (g: Grid)
    (curves: ScalingLaw.ScalingCurve list)
    (rate: ScalingLaw.LearningRate)
    (report: string -> unit)
    =
    let dim = Spectrum.modes s
    let name = if rate = ScalingLaw.Constant then "η = 1" else "η = (D/N)²"
    let lossAtZero = Spectrum.normalizedTrace s (fun l w -> l * w)
    let obs = ScalingLaw.fitObservations rate dim lossAtZero curves
    report (sprintf "result8-chinchilla: fit at %s" name)
    let fit = ScalingLaw.fit [| "t"; "N"; "L" |] obs
    let symbolic, shape = symbolicExponents 1.0 1.0

    let fitRows =
        [
            for e in fit.Estimates ->
                let sym = symbolic |> List.find (fun (n, _) -> n = e.Name) |> snd

                Compare.printedInInterval
                    (sprintf
                        "a_%s of Eq. 18 fitted jointly, %s, D = %d (RMS log residual %s over %d points)"
                        e.Name
                        name
                        dim
                        (Compare.fmt fit.RmsLogResidual)
                        fit.Points)
                    sym
                    e.Exponent
                    e.Low
                    e.High
                    (sprintf "%d-replicate bootstrap, %g%%" fit.Replicates (100.0 * fit.Level))
        ]

    report (sprintf "result8-chinchilla: frontier at %s" name)

    let frontier =
        ScalingLaw.engineFrontierGrid s rate g.Computes g.FrontierWidths g.Depths 1e-8 (fun _ _ -> ())
        |> ScalingLaw.frontierOf

    let interior = frontier |> Array.filter (fun p -> p.Interior) |> Array.length

    let frontierRow =
        match ScalingLaw.frontierSlope frontier with
        | Some slope ->
            Compare.printedVsTheory
                (sprintf
                    "d ln L*/d ln N* on the frontier at C = t·N²·L, %s, D = %d (%d of %d optima interior)"
                    name
                    dim
                    interior
                    frontier.Length)
                shape
                slope
                0.1
                "the finite-D depth law's local slopes differ from β by up to 0.1 at L ≤ 64 (theory/scaling-law.md)"
        | None ->
            {
                Quantity = sprintf "d ln L*/d ln N* on the frontier at C = t·N²·L, %s, D = %d" name dim
                Printed = Some shape
                Theory = None
                Simulation = None
                Tolerance = "needs at least 3 interior optima"
                Verdict = Disagrees
                Note =
                    sprintf
                        "no interior optimum: N* = %g (the largest width) at every C, so the model sets no L ∝ N^ν shape"
                        (List.max g.FrontierWidths |> float)
            }

    fitRows @ [ frontierRow ]

/// Result 8: Eq. 18 fitted jointly to the engine and the compute-optimal shape.
let chinchilla: Claim =
    {
        Id = "result8-chinchilla"
        Title = "Chinchilla form of Eq. 18 and the compute-optimal shape L ∝ N^ν (Result 8)"
        Printed =
            "ℒ(t, N, L, P) ≈ c_t t^{−β/(2+β)} + c_N N^{−νβ} + c_L L^{−β} + c_P P^{−νβ} (Eq. 18); at fixed compute C = tP²N²L the optimal width and depth scale as L ∝ N^ν"
        Source = "Result 8, Eq. 18; Figure 5"
        Assumptions =
            [
                "engine: finite-(N, L) flow on the two-point loss (TwoPoint, ScalingLaw), rank-N map, P → ∞, ν = β = 1 (symbolic a_t = 1/3, a_N = a_L = 1, shape ν = 1)"
                "D = 2000 (quick: 1000); widths D/64 … D/4, depths 1 … 64, 21 times plus t = ∞; points with ℒ ≤ ½ℒ(0); Huber fit in log space, 200-replicate bootstrap"
                "learning rate: η = 1 as Eqs. 13–14 print it, and η = (D/N)², under which the flow's N-dependence of the time scale (ℒ depends on α_Nγ) is removed"
                "the single-resource limits Result 8 states are checked by exp-rrs-time, exp-depth, exp-width, exp-context and eq113-116-limits"
            ]
        DependsOn = [ "result7-limits"; "eq113-116-limits" ]
        Check =
            fun s ->
                let dim = if s.Quick then 1000 else 2000
                let spectrum = Spectrum.powerLaw 1.0 1.0 dim
                let g = gridFor dim

                let shapes =
                    [
                        for n in g.Widths do
                            for l in g.Depths -> ({ Width = n; Depth = l; Context = None }: ScalingLaw.Shape)
                    ]

                s.Report(sprintf "result8-chinchilla: engine grid at D = %d" dim)
                let curves = ScalingLaw.curves spectrum shapes g.Times 1e-8 (fun _ _ -> ())

                let rows =
                    [ ScalingLaw.Constant; ScalingLaw.WidthScaled ]
                    |> List.collect (fun rate -> rowsFor spectrum g curves rate s.Report)

                Compare.outcome
                    rows
                    "each exponent holds only in the limit sense Result 8 states; the additive form misfits the engine by 15–20% RMS in log space, so its joint fit lands away from the symbolic exponents under either learning rate; with η = 1 the frontier has no interior optimum (N* = D), with η = (D/N)² it has one and d ln L*/d ln N* approaches ν from below"
    }

/// Every Result 8 claim, in report order.
let all = [ chinchilla ]

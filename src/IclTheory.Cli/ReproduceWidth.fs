/// `icl reproduce`, Figure 4 at finite width N and context P (Section 4, Result 7): the paper's three
/// panels recomputed with the two-point deterministic equivalent (Eqs. 15, 103; `TwoPoint`) in place of
/// the N, P → ∞ theory of `figure4`. (a) ℒ(t) for several β at N = D/4, L = 16, P → ∞, with
/// t^(−β/(2+β)) dashed and the floor ℒ*(N, L) = min_γ ℒ dashed; (b) the landscape ℒ(γ) against γ/L at
/// N = D/2, P = 2D with exact finite-size Monte-Carlo averages (`TwoPointMonteCarlo`, no theory code)
/// as dots; (c) reduced-Γ models behind the frozen rank-N map x̃ = Ax (Eq. 14) trained by online SGD
/// (Eq. 62, t = η·steps) against the engine's flow dγ/dt = −½ ∂ℒ/∂γ at the same D, N, P, with the
/// floors ℒ*(N, L) dashed.
module IclTheory.Cli.ReproduceWidth

open System
open IclTheory.Solver
open IclTheory.Simulation
open IclTheory.Derivations
open IclTheory.Cli.Plots

/// Sizes of the finite-width Figure 4.
type Figure4WidthSize =
    {
        /// Modes D of panel (a)'s engine curves (N = D/4, P → ∞).
        EngineDim: int
        /// Input dimension D of panel (b) (N = D/2, P = 2D).
        LandscapeDim: int
        /// Independent draws of (O, X) per Monte-Carlo point of panel (b).
        McSamples: int
        /// Input dimension D of panel (c)'s trained models (N = D/2, P = 2D).
        TrainDim: int
        /// Independent training runs per depth; dots are run means ± SE over runs.
        Seeds: int
        /// SGD steps per run (flow time t = η·steps).
        Steps: int
        /// Constant learning rate η.
        Lr: float
        /// Fresh contexts per logged test loss.
        EvalContexts: int
        /// Logged steps per run (geometrically spaced).
        LogPoints: int
        /// Depths of panels (b) and (c).
        Depths: int list
    }

/// Quick mode: engine D = 500, landscape D = 64, training D = 32 (three runs per depth, t ≤ 1000; the
/// finite-size gap of the trained floor is about 7% at D = 32 and 17% at D = 24).
let quickSize =
    {
        EngineDim = 500
        LandscapeDim = 64
        McSamples = 16
        TrainDim = 32
        Seeds = 3
        Steps = 2000
        Lr = 0.5
        EvalContexts = 512
        LogPoints = 12
        Depths = [ 1; 2; 4; 8 ]
    }

/// Full mode: engine D = 2000, landscape D = 128, training D = 48 (four runs per depth, t ≤ 2000;
/// minutes: a step costs about P·N² per context).
let fullSize =
    {
        EngineDim = 2000
        LandscapeDim = 128
        McSamples = 64
        TrainDim = 48
        Seeds = 4
        Steps = 4000
        Lr = 0.5
        EvalContexts = 1024
        LogPoints = 16
        Depths = [ 1; 2; 4; 8 ]
    }

/// The depth of panel (a).
[<Literal>]
let TimeLawDepth = 16

/// The source exponents β of panel (a).
let timeLawBetas = [ 0.5; 1.0; 2.0 ]

let private validate (size: Figure4WidthSize) =
    let fail name (value: string) allowed =
        raise (InvalidParameterException(name, value, allowed))

    let atLeast name minimum value =
        if value < minimum then
            fail name (string value) (sprintf "an integer >= %d" minimum)

    atLeast "engine-dim" 4 size.EngineDim
    atLeast "landscape-dim" 2 size.LandscapeDim
    atLeast "train-dim" 2 size.TrainDim
    atLeast "mc-samples" 2 size.McSamples
    atLeast "seeds" 2 size.Seeds
    atLeast "steps" 2 size.Steps
    atLeast "eval-contexts" 2 size.EvalContexts
    atLeast "log-points" 3 size.LogPoints
    Validate.positive "lr" size.Lr

    if size.Depths.IsEmpty then
        fail "depths" "an empty list" "at least one depth >= 1"

    size.Depths |> List.iter (Validate.atLeast "depth" 1)

/// The time at which the curve is closest, in log space, to the geometric mean of its first loss and
/// its floor: the middle of the decay, where panel (a) anchors the printed power law.
let private midDecayIndex (losses: float[]) (floor: float) =
    let target = 0.5 * (log losses[0] + log floor)

    losses
    |> Array.mapi (fun i l -> i, abs (log l - target))
    |> Array.minBy snd
    |> fst

/// Panel (a): ℒ(t) at N = D/4, L = 16, P → ∞ for each β of `timeLawBetas`, with c·t^(−β/(2+β)) (Eq. 18,
/// Result 8) anchored at mid-decay and ℒ*(N, L) dashed.
let timeLaw (size: Figure4WidthSize) =
    let d = size.EngineDim
    let n = d / 4
    let ts = PowerLawFit.logSpace 0.1 1e8 121

    let shape: ScalingLaw.Shape =
        {
            Width = n
            Depth = TimeLawDepth
            Context = None
        }

    let linesFor (beta: float) =
        let s = Spectrum.powerLaw 1.0 beta d
        let curve = ScalingLaw.curves s [ shape ] ts 1e-8 (fun _ _ -> ()) |> List.head
        let losses = curve.Flow |> Array.map (fun p -> p.Loss)
        let e = -beta / (2.0 + beta)
        let i = midDecayIndex losses curve.Final.Loss
        let anchor = losses[i] / ts[i] ** e

        [
            line (sprintf "β = %g" beta) false ts losses
            line (sprintf "t^(−β/(2+β)), β = %g" beta) true ts (ts |> Array.map (fun t -> anchor * t ** e))
            horizontal (sprintf "floor min_γ loss, β = %g" beta) true ts[0] ts[ts.Length - 1] curve.Final.Loss
        ]

    panel
        (sprintf "(a) finite width: N = %d, L = %d, P → ∞, D = %d, ν = 1" n TimeLawDepth d)
        "t"
        "loss"
        true
        true
        (timeLawBetas |> List.collect linesFor)
        []

/// The per-layer steps g = γ/L of panel (b)'s Monte-Carlo dots: eight points in [x₊⁻¹/4, 1.8/x₊], inside
/// the stable range g < 2/x₊ (x₊ the right edge of M's spectrum).
let private mcSteps (edge: float) =
    Array.init 8 (fun i -> (0.25 + (1.8 - 0.25) * float i / 7.0) / edge)

/// Panel (b): ℒ(γ) against γ/L at N = D/2, P = 2D (ν = β = 1) for each depth, engine lines against
/// exact finite-size averages over Haar O and data X (dots, ± SE over draws).
let landscape (size: Figure4WidthSize) (seed: uint64) =
    let d = size.LandscapeDim
    let s = Spectrum.powerLaw 1.0 1.0 d
    let b = TwoPointClaims.halfWidthDoubleContext d
    let k = ScalingLaw.kernelForDepths s b size.Depths 1e-10
    let gs = Array.init 60 (fun i -> 1.9 * float (i + 1) / 60.0 / k.Edge)
    let steps = mcSteps k.Edge
    let depths = Array.ofList size.Depths

    let mc =
        TwoPointMonteCarlo.Run(
            TwoPointMcOptions(
                d,
                d / 2,
                Nullable(2 * d),
                s.Lambda,
                s.Omega,
                WidthProjection.Rank,
                depths,
                steps,
                size.McSamples,
                seed + 4200UL
            )
        )

    panel
        (sprintf "(b) landscape at N = %d, P = %d, D = %d (dots: exact finite-size averages)" (d / 2) (2 * d) d)
        "γ / L"
        "loss"
        false
        true
        [
            for l in size.Depths ->
                line
                    (sprintf "L = %d" l)
                    false
                    gs
                    (gs |> Array.map (fun g -> (TwoPoint.lossFrom k (g * float l) l).Loss))
        ]
        [
            for l in depths ->
                let points = Array.init steps.Length (fun gi -> mc.At(l, gi))

                {
                    Label = sprintf "Monte-Carlo, L = %d" l
                    X = steps
                    Y = points |> Array.map (fun p -> p.Loss)
                    Se = points |> Array.map (fun p -> p.StandardError)
                }
        ]

/// One training run of panel (c) at depth L: the reduced-Γ model behind the rank-(D/2) map, RRS,
/// P = 2D, batch D.
let private trainProjected (size: Figure4WidthSize) (depth: int) (seed: uint64) =
    let logSteps = TrainDefaults.logSteps size.Steps size.LogPoints

    ReducedGammaTrainer.Train(
        TwoPointClaims.halfWidthTrainOptions
            size.TrainDim
            depth
            size.Steps
            size.TrainDim
            size.Lr
            seed
            size.EvalContexts
            logSteps
    )

/// Panel (c): trained test losses (run means ± SE) against the engine's flow and floors at the
/// training size. `report done total` after each run.
let training (size: Figure4WidthSize) (seed: uint64) (report: int -> int -> unit) =
    let d = size.TrainDim
    let s = Spectrum.powerLaw 1.0 1.0 d

    let k =
        ScalingLaw.kernelForDepths s (TwoPointClaims.halfWidthDoubleContext d) size.Depths 1e-10

    let total = size.Depths.Length * size.Seeds

    let runs =
        size.Depths
        |> List.mapi (fun di l ->
            l,
            Array.init size.Seeds (fun r ->
                let result = trainProjected size l (seed + uint64 (4300 + 100 * l + r))
                report (di * size.Seeds + r + 1) total
                result))

    let _, firstRuns = runs.Head
    let curve0 = firstRuns[0].Curve
    let times = Array.init (curve0.Count - 1) (fun i -> curve0[i + 1].Time)
    let ts = PowerLawFit.logSpace times[0] times[times.Length - 1] 120

    let lines =
        [
            for l in size.Depths do
                let final = ScalingLaw.finalLossOn k l
                let flow = ScalingLaw.lossCurveOn k l final ts
                yield line (sprintf "flow, L = %d" l) false ts (flow |> Array.map (fun p -> p.Loss))
                yield horizontal (sprintf "floor min_γ loss, L = %d" l) true ts[0] ts[ts.Length - 1] final.Loss
        ]

    let dotsOf (l: int, results: TrainResult[]) =
        ReproduceFigures38.dots
            (sprintf "trained, L = %d" l)
            times
            (ReproduceFigures38.seedMeans size.Seeds curve0.Count (fun r i -> results[r].Curve[i].Loss))

    panel
        (sprintf "(c) trained reduced-Γ behind x̃ = Ax, N = %d, P = %d, D = %d" (d / 2) (2 * d) d)
        "flow time t = η·steps"
        "test loss"
        true
        true
        lines
        (runs |> List.map dotsOf)

/// The three panels of Figure 4 at finite width.
let figure4Width (size: Figure4WidthSize) (seed: uint64) =
    validate size
    let a = timeLaw size
    let b = landscape size seed
    let c = Progress.run "figure 4 at finite width: training runs" (training size seed)
    [ a; b; c ]

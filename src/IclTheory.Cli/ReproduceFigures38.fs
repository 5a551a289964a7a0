/// `icl reproduce`, Figures 3a and 8: trained reduced-Γ models (online SGD of Eq. 62, t = η·steps)
/// against the engine on the power-law spectrum ν = β = 1 with D modes. Figure 3a (FS, Result 4):
/// the learned diagonal Γ_kk(t) at L = 4 against Eq. 10 at L = 4 and L → ∞. Figure 8 (untied
/// layers, Section 5.1, Appendix G.1, RRS): loss and per-layer γ^ℓ(t) from the balanced start
/// γ^ℓ(0) = 0 against the recurrent flow (Eq. 13, Eq. 118), and an unbalanced start against the
/// L-variable untied flow (it does not re-balance: errata, "noted").
module IclTheory.Cli.ReproduceFigures38

open IclTheory.Solver
open IclTheory.Simulation
open IclTheory.Derivations
open IclTheory.Cli.Plots

/// Sizes of the training runs of Figures 3a and 8 (one constant learning rate, B = D).
type Figure38Size =
    {
        /// Input dimension D, the number of modes of the spectrum.
        Dim: int
        /// Context ratio α = P/D (the theory is P → ∞).
        Alpha: float
        /// Independent runs per curve; dots are run means ± SE.
        Seeds: int
        /// Constant learning rate η (flow time t = η·steps).
        Lr: float
        /// SGD steps of Figure 3a.
        FsSteps: int
        /// SGD steps of Figure 8.
        UntiedSteps: int
        /// Logged steps per run (geometrically spaced).
        LogPoints: int
    }

/// Quick mode: D = 8, three runs per curve.
let quickSize =
    {
        Dim = 8
        Alpha = 32.0
        Seeds = 3
        Lr = 0.05
        FsSteps = 2000
        UntiedSteps = 800
        LogPoints = 14
    }

/// Full mode: D = 16, four runs per curve, twice the flow time (minutes, not seconds: the cost of a
/// step grows as αD³L).
let fullSize =
    {
        Dim = 16
        Alpha = 32.0
        Seeds = 4
        Lr = 0.05
        FsSteps = 4000
        UntiedSteps = 1600
        LogPoints = 20
    }

/// The depth of Figure 3a and Figure 8 (the paper's L = 4).
[<Literal>]
let FigureDepth = 4

/// The modes k whose Γ_kk(t) Figure 3a shows.
let private shownModes (dim: int) =
    [ 1; 2; 4 ] |> List.filter (fun k -> k <= dim)

/// The unbalanced start of Figure 8: γ^ℓ(0) = 0, 0.5, 1, 1.5 (L = 4).
let unbalancedStart = Array.init FigureDepth (fun l -> 0.5 * float l)

let private validate (size: Figure38Size) =
    let fail name value allowed =
        raise (InvalidParameterException(name, value, allowed))

    if size.Dim < 1 then
        fail "dim" (string size.Dim) "an integer >= 1"

    Validate.positive "alpha" size.Alpha
    Validate.positive "lr" size.Lr

    if size.Seeds < 2 then
        fail "seeds" (string size.Seeds) "an integer >= 2 (the error bars are SEs over runs)"

    if size.FsSteps < 2 || size.UntiedSteps < 2 then
        fail "steps" (sprintf "%d, %d" size.FsSteps size.UntiedSteps) "integers >= 2"

    if size.LogPoints < 3 then
        fail "log-points" (string size.LogPoints) "an integer >= 3"

let private task (size: Figure38Size) (setting: CovarianceSetting) =
    StructuredTask.PowerLaw(size.Dim, size.Alpha, 1.0, 0.0, 1.0, 1.0, setting)

let private options (size: Figure38Size) (setting: CovarianceSetting) (steps: int) (seed: uint64) =
    TrainOptions(
        task size setting,
        FigureDepth,
        steps,
        size.Dim,
        size.Lr,
        seed,
        EvalContexts = 64,
        LogSteps = TrainDefaults.logSteps steps size.LogPoints
    )

/// Mean ± SE over `runs` runs of `pick run index` at each logged index 1..points−1 (step 0 is
/// left out of the log axes).
let seedMeans (runs: int) (points: int) (pick: int -> int -> float) =
    Array.init (points - 1) (fun i -> IsoClaims.meanOverRuns (Array.init runs (fun r -> pick r (i + 1))))

let dots (label: string) (times: float[]) (estimates: Estimate[]) =
    {
        Label = label
        X = times
        Y = estimates |> Array.map (fun e -> e.Value)
        Se = estimates |> Array.map (fun e -> defaultArg e.StdError 0.0)
    }

/// Figure 3a: trained FS Γ_kk(t) (k = 1, 2, 4) at L = 4, run means ± SE, against Eq. 10's closed
/// form u^(−(2L−2)) − 1 = (2L−2)ωλ³t/L, u = 1 − λγ/L (solid) and its L → ∞ limit
/// 2λγ = ln(1 + 2ωλ³t) (dashed), from `FsTheory.gamma` with the Eq. 10 time convention.
let figure3a (size: Figure38Size) (seed: uint64) : Panel =
    validate size

    let runs =
        Array.init size.Seeds (fun r ->
            ReducedGammaTrainer.Train(options size CovarianceSetting.Fixed size.FsSteps (seed + uint64 (3100 + r))))

    let curve0 = runs[0].Curve
    let times = Array.init (curve0.Count - 1) (fun i -> curve0[i + 1].Time)
    let s = Spectrum.powerLaw 1.0 1.0 size.Dim
    let ts = PowerLawFit.logSpace times[0] times[times.Length - 1] 160

    let theory (depth: Depth) (k: int) =
        ts
        |> Array.map (FsTheory.gamma FsTheory.Eq10 depth s.Lambda[k - 1] s.Omega[k - 1])

    let modes = shownModes size.Dim

    {
        Title =
            sprintf "(a) FS, L = %d: Γ_kk(t) vs Eq. 10 (dashed: L → ∞), D = %d, α = %g" FigureDepth size.Dim size.Alpha
        XLabel = "flow time t = η·steps"
        YLabel = "γ_k = Γ_kk"
        LogX = true
        LogY = false
        Lines =
            [
                for k in modes do
                    yield line (sprintf "γ_%d, L = %d (Eq. 10)" k FigureDepth) false ts (theory (Finite FigureDepth) k)
                    yield line (sprintf "γ_%d, L = ∞" k) true ts (theory Infinite k)
            ]
        Dots =
            [
                for k in modes ->
                    dots
                        (sprintf "trained Γ_%d%d" k k)
                        times
                        (seedMeans size.Seeds curve0.Count (fun r i -> runs[r].Curve[i].GammaDiagonal[k - 1]))
            ]
    }

/// Figure 8: untied layers on RRS data at L = 4 trained with η = η₀L per layer, from γ^ℓ(0) = 0
/// ("balanced") and from γ^ℓ(0) = 0, 0.5, 1, 1.5 ("unbalanced"). (a) Test loss against the
/// recurrent flow's ℒ(γ(t)) (Eqs. 13 and 98, solid; Eq. 118 makes the balanced untied flow equal
/// to it) and the untied flow's loss from the unbalanced start (Eq. 122 at σ² = 0, dashed).
/// (b) Each layer's γ̄^ℓ = tr Γ^ℓ/D from the balanced start against the recurrent γ(t); (c) from the
/// unbalanced start against the untied flow's γ^ℓ(t) (solid lines are engine curves throughout).
let figure8 (size: Figure38Size) (seed: uint64) : Panel list =
    validate size

    let train (start: float[]) (salt: int) =
        Array.init size.Seeds (fun r ->
            let o =
                options size CovarianceSetting.RandomRotation size.UntiedSteps (seed + uint64 (salt + r))

            UntiedGammaTrainer.Train(o, start))

    let balanced = train (Array.zeroCreate FigureDepth) 8100
    let unbalanced = train unbalancedStart 8200
    let curve0 = balanced[0].Curve
    let count = curve0.Count
    let times = Array.init (count - 1) (fun i -> curve0[i + 1].Time)
    let s = Spectrum.powerLaw 1.0 1.0 size.Dim
    let ts = PowerLawFit.logSpace times[0] times[times.Length - 1] 160
    let recurrent = RrsTheory.flow s (Finite FigureDepth) ts
    let untied = RrsTheory.untiedFlow s unbalancedStart 0.0 1.0 ts

    let mean (runs: UntiedTrainResult[]) (pick: UntiedTrainPoint -> float) =
        seedMeans size.Seeds count (fun r i -> pick runs[r].Curve[i])

    let loss =
        {
            Title = sprintf "(a) untied layers, RRS, L = %d: test loss, D = %d, α = %g" FigureDepth size.Dim size.Alpha
            XLabel = "flow time t = η₀·steps"
            YLabel = "test loss"
            LogX = true
            LogY = true
            Lines =
                [
                    line "recurrent flow (Eq. 13)" false ts (recurrent |> Array.map (fun p -> p.Loss))
                    line "untied flow, unbalanced start" false ts (untied |> Array.map (fun p -> p.Loss))
                ]
            Dots =
                [
                    dots "trained untied, balanced start" times (mean balanced (fun p -> p.Loss))
                    dots "trained untied, unbalanced start" times (mean unbalanced (fun p -> p.Loss))
                ]
        }

    let layerPanel (title: string) (lines: Line list) (runs: UntiedTrainResult[]) (start: string) =
        {
            Title = title
            XLabel = "flow time t = η₀·steps"
            YLabel = "γ^l = tr Γ^l / D"
            LogX = true
            LogY = false
            Lines = lines
            Dots =
                [
                    for l in 0 .. FigureDepth - 1 ->
                        dots
                            (sprintf "trained γ^%d, %s start" (l + 1) start)
                            times
                            (mean runs (fun p -> p.LayerGammaBars[l]))
                ]
        }

    let balancedLayers =
        layerPanel
            (sprintf "(b) per-layer γ^l(t) from γ^l(0) = 0, L = %d" FigureDepth)
            [
                line "recurrent γ(t) (Eq. 13)" false ts (recurrent |> Array.map (fun p -> p.Gamma))
            ]
            balanced
            "balanced"

    let unbalancedLayers =
        layerPanel
            "(c) from γ^l(0) = 0, 0.5, 1, 1.5: no re-balancing"
            [
                for l in 0 .. FigureDepth - 1 ->
                    line (sprintf "untied flow γ^%d" (l + 1)) false ts (untied |> Array.map (fun p -> p.Gammas[l]))
            ]
            unbalanced
            "unbalanced"

    [ loss; balancedLayers; unbalancedLayers ]

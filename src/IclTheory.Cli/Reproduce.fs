/// `icl reproduce`: the paper's figures (theory lines, training dots with error bars)
/// as PNG and SVG with the CSV behind each, the check table in Markdown, and a manifest.
module IclTheory.Cli.Reproduce

open System
open System.IO
open System.Text
open IclTheory.Solver
open IclTheory.Simulation
open IclTheory.Derivations
open IclTheory.Cli.Plots

/// Sizes of a run.
type Scale =
    {
        Dim: int
        EvalContexts: int
        Alphas: float list
        Depths: int list
    }

let private scaleOf (quick: bool) =
    if quick then
        {
            Dim = 32
            EvalContexts = 256
            Alphas = [ 0.5; 1.0; 2.0; 4.0 ]
            Depths = [ 1; 2; 4; 8 ]
        }
    else
        {
            Dim = 64
            EvalContexts = 1024
            Alphas = [ 0.25; 0.5; 1.0; 2.0; 4.0 ]
            Depths = [ 1; 2; 4; 8; 16 ]
        }

let private csvOf (panels: Panel list) =
    let sb = StringBuilder()
    sb.AppendLine "panel,series,kind,x,y,se" |> ignore

    let inv (x: float) =
        x.ToString("R", Globalization.CultureInfo.InvariantCulture)

    let q (s: string) = "\"" + s.Replace("\"", "\"\"") + "\""

    for p in panels do
        for l in p.Lines do
            for x, y in Array.zip l.X l.Y do
                sb.AppendLine(
                    sprintf
                        "%s,%s,%s,%s,%s,"
                        (q p.Title)
                        (q l.Label)
                        (if l.Dashed then "printed" else "theory")
                        (inv x)
                        (inv y)
                )
                |> ignore

        for d in p.Dots do
            for (x, y), se in Array.zip (Array.zip d.X d.Y) d.Se do
                sb.AppendLine(sprintf "%s,%s,simulation,%s,%s,%s" (q p.Title) (q d.Label) (inv x) (inv y) (inv se))
                |> ignore

    sb.ToString()

/// Writes `stem`.png/.svg/.csv for a figure.
let private writeFigure (dir: string) (name: string) (panels: Panel list) =
    let stem = Path.Combine(dir, name)
    save stem panels
    Files.writeAllText (stem + ".csv") (csvOf panels)

let private iso alpha depth sigma2 =
    {
        Alpha = alpha
        Depth = depth
        Sigma2 = sigma2
    }

/// One training run of Figure 1 with its theory flow.
type private Run =
    {
        Alpha: float
        Depth: int
        Options: TrainOptions
        Result: TrainResult
    }

/// Trains one (α, L) point; a run that diverges is reported (Error) instead of ending the job.
let private trainRun (s: Scale) (seed: uint64) (alpha: float) (depth: int) =
    let task = IsoClaims.isoTask s.Dim alpha 1.0 0.0
    let o = TrainDefaults.recommended task depth seed s.EvalContexts 16

    try
        Ok
            {
                Alpha = alpha
                Depth = depth
                Options = o
                Result = ReducedGammaTrainer.Train o
            }
    with :? InvalidOperationException as e ->
        Error(sprintf "α = %g, L = %d (lr %g, seed %d): %s" alpha depth o.LearningRate seed e.Message)

let private theoryCurve (r: Run) =
    let steps =
        TrainDefaults.logSteps r.Options.Steps 80 |> Array.filter (fun k -> k > 0)

    let times = steps |> Array.map r.Options.FlowTimeAt
    let flow = IsoFlow.byRungeKutta (iso r.Alpha (Finite r.Depth) 0.0) IsoFlow.Eq7 times
    steps |> Array.map float, flow |> Array.map (fun p -> p.Loss)

let private simDots (label: string) (r: Run) =
    let pts = r.Result.Curve |> Seq.filter (fun p -> p.Step > 0) |> Array.ofSeq

    {
        Label = label
        X = pts |> Array.map (fun p -> float p.Step)
        Y = pts |> Array.map (fun p -> p.Loss)
        Se = pts |> Array.map (fun p -> p.Se)
    }

let private dynamicsPanel (title: string) (runs: (string * Run) list) =
    {
        Title = title
        XLabel = "SGD step"
        YLabel = "test loss"
        LogX = true
        LogY = true
        Lines =
            runs
            |> List.map (fun (label, r) ->
                let x, y = theoryCurve r

                {
                    Label = label + " theory"
                    X = x
                    Y = y
                    Dashed = false
                })
        Dots = runs |> List.map (fun (label, r) -> simDots label r)
    }

/// Figure 1: training dynamics for varying α (a) and depth (b), final loss vs ℒ*(α, L) (c).
let figure1 (dir: string) (s: Scale) (seed: uint64) (report: int -> int -> unit) =
    let grid =
        [
            for a in s.Alphas do
                for l in s.Depths -> a, l
        ]

    let mutable done' = 0

    let outcomes =
        grid
        |> List.mapi (fun i (a, l) ->
            report done' grid.Length
            let r = trainRun s (seed + uint64 (1000 + i)) a l
            done' <- done' + 1
            report done' grid.Length
            r)

    let runs =
        outcomes
        |> List.choose (function
            | Ok r -> Some r
            | Error _ -> None)

    let diverged =
        outcomes
        |> List.choose (function
            | Error e -> Some e
            | Ok _ -> None)

    let pick (keep: Run -> bool) (label: Run -> string) =
        runs |> List.filter keep |> List.map (fun r -> label r, r)

    let panelA =
        dynamicsPanel "(a) L = 2, varying α" (pick (fun r -> r.Depth = 2) (fun r -> sprintf "α=%g" r.Alpha))

    let panelB =
        dynamicsPanel "(b) α = 1, varying L" (pick (fun r -> r.Alpha = 1.0) (fun r -> sprintf "L=%d" r.Depth))

    let alphaGrid =
        Commands.logspace (List.min s.Alphas / 1.5) (List.max s.Alphas * 1.5) 60

    // Every run has the same flow-time budget (steps = 160/η with the same anneal shape).
    let tEnd =
        runs
        |> List.tryHead
        |> Option.map (fun r -> r.Options.FlowTimeAt r.Options.Steps)
        |> Option.defaultValue 0.0

    let atBudget (a: float) (l: int) =
        let flow = IsoFlow.byRungeKutta (iso a (Finite l) 0.0) IsoFlow.Eq7 [| tEnd |]
        flow[0].Loss

    let panelC =
        {
            Title = "(c) final loss vs L*(α, L) (Eq. 8)"
            XLabel = "α = P/D"
            YLabel = "final test loss"
            LogX = true
            LogY = true
            Lines =
                s.Depths
                |> List.collect (fun l ->
                    [
                        {
                            Label = sprintf "L*, L=%d" l
                            X = alphaGrid
                            Y =
                                alphaGrid
                                |> Array.map (fun a -> (IsoLandscape.optimum (iso a (Finite l) 0.0)).LossStar)
                            Dashed = false
                        }
                        {
                            Label = sprintf "flow at t=%.0f, L=%d" tEnd l
                            X = alphaGrid
                            Y = alphaGrid |> Array.map (fun a -> atBudget a l)
                            Dashed = true
                        }
                    ])
            Dots =
                s.Depths
                |> List.map (fun l ->
                    let rs = runs |> List.filter (fun r -> r.Depth = l)

                    {
                        Label = sprintf "trained, L=%d" l
                        X = rs |> List.map (fun r -> r.Alpha) |> Array.ofList
                        Y = rs |> List.map (fun r -> r.Result.FinalLoss) |> Array.ofList
                        Se = rs |> List.map (fun r -> r.Result.FinalLossSe) |> Array.ofList
                    })
        }

    writeFigure dir "figure1" [ panelA; panelB; panelC ]
    diverged

let private landscapePanel title xlabel (perLayer: bool) (s: Scale) (seed: uint64) (curves: (string * IsoParams) list) =
    let gammaMax =
        curves
        |> List.map (fun (_, p) -> 1.6 * (IsoLandscape.optimum p).GammaStar)
        |> List.max

    let scaleOf (p: IsoParams) =
        match p.Depth with
        | Finite l when perLayer -> float l
        | _ -> 1.0

    let clip (y: float) = if y > 10.0 then nan else y

    {
        Title = title
        XLabel = xlabel
        YLabel = "loss L(γ) (Eq. 83)"
        LogX = false
        LogY = true
        Lines =
            curves
            |> List.map (fun (label, p) ->
                let top = if perLayer then 0.66 * scaleOf p else gammaMax
                let gs = Commands.linspace 0.0 top 200

                {
                    Label = label
                    X = gs |> Array.map (fun g -> g / scaleOf p)
                    Y = gs |> Array.map (IsoLandscape.loss p >> clip)
                    Dashed = false
                })
        Dots =
            curves
            |> List.mapi (fun i (label, p) ->
                let depth =
                    match p.Depth with
                    | Finite l -> l
                    | Infinite -> invalidArg "depth" "figure 2 simulates finite depths only"

                let star = (IsoLandscape.optimum p).GammaStar
                let gs = [| 0.25; 0.5; 0.75; 1.0; 1.25 |] |> Array.map (fun f -> f * star)
                let task = IsoClaims.isoTask (2 * s.Dim) p.Alpha 1.0 p.Sigma2

                let est =
                    gs
                    |> Array.mapi (fun j g ->
                        let struct (m, se) =
                            ReducedGammaEvaluator.TestLossIsotropic(
                                task,
                                depth,
                                g,
                                s.EvalContexts,
                                seed + uint64 (2000 + 10 * i + j)
                            )

                        m - p.Sigma2, se)

                {
                    Label = sprintf "%s, D=%d" label (2 * s.Dim)
                    X = gs |> Array.map (fun g -> g / scaleOf p)
                    Y = est |> Array.map (fst >> clip)
                    Se = est |> Array.map snd
                })
    }

/// Figure 2: the landscape of Γ = γI across depth (a), context ratio (b) and noise (c).
let figure2 (dir: string) (s: Scale) (seed: uint64) =
    let a =
        landscapePanel
            "(a) α = 1: depth"
            "γ / L"
            true
            s
            seed
            ([ 1; 2; 4; 8; 16 ]
             |> List.map (fun l -> sprintf "L=%d" l, iso 1.0 (Finite l) 0.0))

    let b =
        landscapePanel
            "(b) L = 4: context ratio"
            "γ"
            false
            s
            (seed + 100UL)
            ([ 0.5; 1.0; 2.0; 4.0 ]
             |> List.map (fun al -> sprintf "α=%g" al, iso al (Finite 4) 0.0))

    let c =
        landscapePanel
            "(c) α = 1, L = 4: noise"
            "γ"
            false
            s
            (seed + 200UL)
            ([ 0.0; 0.25; 0.5; 1.0 ]
             |> List.map (fun n -> sprintf "σ²=%g" n, iso 1.0 (Finite 4) n))

    writeFigure dir "figure2" [ a; b; c ]

/// Figure 7: Result 10's curves (engine solid, printed dashed) and online SGD at L = 1.
let figure7 (dir: string) (s: Scale) (seed: uint64) =
    let eta, steps = 0.05, 150

    let panel title (settings: (string * float * float * float) list) salt =
        let sims =
            settings
            |> List.mapi (fun i (label, alpha, kappa, tau) ->
                let task = IsoClaims.isoTask (2 * s.Dim) alpha kappa 0.0

                let o =
                    TrainOptions(
                        task,
                        1,
                        steps,
                        max 1 (int (Math.Round(tau * float task.Dim))),
                        eta,
                        seed + uint64 (salt + i),
                        EvalContexts = s.EvalContexts,
                        LogSteps = [| 0..10..steps |]
                    )

                let r = ReducedGammaTrainer.Train o
                let pts = r.Curve |> Array.ofSeq

                {
                    Label = label + " SGD"
                    X = pts |> Array.map (fun p -> float p.Step)
                    Y = pts |> Array.map (fun p -> p.Loss)
                    Se = pts |> Array.map (fun p -> p.Se)
                })

        let ks = [| 0..steps |]

        let lines =
            settings
            |> List.collect (fun (label, alpha, kappa, tau) ->
                let sp: ShallowSgd.SgdParams =
                    {
                        Eta = eta
                        Alpha = alpha
                        Kappa = kappa
                        Tau = tau
                        Sigma2 = 0.0
                    }

                [
                    {
                        Label = label + " engine"
                        X = ks |> Array.map float
                        Y = ks |> Array.map (ShallowSgd.engineTestLoss sp)
                        Dashed = false
                    }
                    {
                        Label = label + " printed Eq. 78"
                        X = ks |> Array.map float
                        Y = ks |> Array.map (ShallowSgd.printedLoss sp)
                        Dashed = true
                    }
                ])

        {
            Title = title
            XLabel = "SGD step"
            YLabel = "test loss"
            LogX = false
            LogY = true
            Lines = lines
            Dots = sims
        }

    let a =
        panel "(a) α = κ = 1, varying τ" [ "τ=0.25", 1.0, 1.0, 0.25; "τ=1", 1.0, 1.0, 1.0; "τ=4", 1.0, 1.0, 4.0 ] 3000

    let b =
        panel "(b) τ = κ = 1, varying α" [ "α=0.5", 0.5, 1.0, 1.0; "α=1", 1.0, 1.0, 1.0; "α=4", 4.0, 1.0, 1.0 ] 3100

    let c =
        panel "(c) α = τ = 1, varying κ" [ "κ=0.25", 1.0, 0.25, 1.0; "κ=1", 1.0, 1.0, 1.0; "κ=4", 1.0, 4.0, 1.0 ] 3200

    writeFigure dir "figure7" [ a; b; c ]

/// Runs the whole reproduction into `out` (atomically replaced) and returns the check results.
let run (argv: string array) (out: string) (quick: bool) (seed: uint64) =
    let s = scaleOf quick
    let mutable results = []

    Files.publishFolder out (fun dir ->
        Progress.note "figure 2: landscapes"
        figure2 dir s seed
        Progress.note "figure 7: shallow online SGD (Result 10)"
        figure7 dir s seed
        Progress.note "figures 3 and 4: FS and RRS theory at N, P → ∞, trained FS Γ_kk(t) (Result 4)"
        let modes = if quick then 2000 else 20000

        let figureSize =
            if quick then
                ReproduceFigures38.quickSize
            else
                ReproduceFigures38.fullSize

        let f3b, f3c = ReproduceStructured.figure3Theory modes
        writeFigure dir "figure3" [ ReproduceFigures38.figure3a figureSize seed; f3b; f3c ]
        let f4a, f4b, f4c = ReproduceStructured.figure4Theory modes
        writeFigure dir "figure4" [ f4a; f4b; f4c ]
        Progress.note "figure 5: width, depth and joint scaling at finite N, L (Result 8)"
        writeFigure dir "figure5" (ReproduceScaling.figure5 quick)

        Progress.note
            "figure 4 at finite width: two-point flows by β, landscapes against exact finite-size averages, trained models behind x̃ = Ax (Result 7)"

        let widthSize =
            if quick then
                ReproduceWidth.quickSize
            else
                ReproduceWidth.fullSize

        writeFigure dir "figure4-width" (ReproduceWidth.figure4Width widthSize seed)
        Progress.note "figure 6: trained full linear attention against the w⁵ theory (Result 9), ISO and RRS power law"
        writeFigure dir "figure6" (ReproduceAttention.figure6 quick seed)
        Progress.note "figure 8: untied layers against the recurrent flow (Section 5.1)"
        writeFigure dir "figure8" (ReproduceFigures38.figure8 figureSize seed)
        let diverged = Progress.run "figure 1: training runs" (figure1 dir s seed)
        Progress.note "checks"
        results <- CheckCommand.runChecks quick seed []
        Files.writeAllText (Path.Combine(dir, "checks.json")) (CheckCommand.toJson results)

        let summary =
            StringBuilder()
                .AppendLine("# IclTheory reproduction: ISO setting; FS and RRS theory")
                .AppendLine()
                .AppendLine(
                    sprintf
                        "Mode: %s (D = %d for training, %d for landscapes and Result 10), seed %d. Figures: `figure1`, `figure2`, `figure7` (ISO), `figure3` (a: trained FS Γ_kk(t) vs Eq. 10 at L = 4 and L → ∞, b: FS loss by depth, c: OOD loss, Eq. 11), `figure4` (RRS at N, P → ∞), `figure4-width` (Figure 4 at finite N and P: a: two-point flows by β, b: landscapes against exact finite-size averages, c: trained models behind the rank-N map x̃ = Ax against the flow), `figure5` (finite width and depth against compute, Result 8), `figure6` (trained full linear attention vs the w⁵ theory: a, c: ISO loss and γ̄; b, d: RRS power-law loss and γ̄ against N, P → ∞), `figure8` (untied layers vs the recurrent flow, RRS: a: loss, b: per-layer γ^ℓ(t), balanced and unbalanced starts) (.png, .svg, .csv)."
                        (if quick then "quick" else "full")
                        s.Dim
                        (2 * s.Dim)
                        seed
                )
                .AppendLine()
                .AppendLine(
                    if diverged.IsEmpty then
                        "All training runs of Figure 1 converged."
                    else
                        "Training runs of Figure 1 that diverged (left out of the figure):\n\n"
                        + String.Join("\n", diverged |> List.map (fun d -> "- " + d))
                )
                .AppendLine()
                .AppendLine("## Verdicts on the paper's claims")
                .AppendLine()
                .Append(CheckCommand.markdown results)
                .ToString()

        Files.writeAllText (Path.Combine(dir, "summary.md")) summary

        Files.manifest
            dir
            argv
            [
                "quick", string quick
                "seed", string seed
                "dim", string s.Dim
                "eval_contexts", string s.EvalContexts
            ])

    results

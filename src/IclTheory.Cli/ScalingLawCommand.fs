/// `icl scaling-law`: the Chinchilla law of Result 8 (Eq. 18) fitted to the finite-(N, L) engine's
/// own loss curves, next to the exponents the symbolic core derives, and the compute-optimal
/// frontier at C = t·N²·L (P → ∞) next to Result 8's L ∝ N^ν.
///
/// Regime (documented choice): the power law λ_k = k^(−ν), ω_kλ_k = k^(−νβ−1) with D modes;
/// widths N = D/64 … D/4 (doubling), depths L = 1, 2, 4, … up to --max-depth (64), P → ∞; 21
/// log-spaced times t ∈ [D/200, 5·10⁷D] (the Eq. 13 time of normalized traces grows like D) and the
/// final loss (t = ∞); only points past the initial plateau, ℒ ≤ ½ℒ(0) = ½ tr ΩΛ, enter the fit
/// (t^(−a_t) cannot describe the plateau). The frontier uses widths D/64 … D and the same depths,
/// on 17 computes C ∈ [1.25D³, 1.25·10⁸D³].
module IclTheory.Cli.ScalingLawCommand

open System
open System.Text
open Argu
open IclTheory.Solver
open IclTheory.Symbolic
open IclTheory.Cli.Output

/// Output formats of `icl scaling-law`.
type LawFormat =
    | Plain of Format
    | Markdown

/// text, md, csv or json.
let parseFormat (s: string option) =
    match s |> Option.map (fun x -> x.Trim().ToLowerInvariant()) with
    | None
    | Some "text" -> Plain Text
    | Some "json" -> Plain Json
    | Some "csv" -> Plain Csv
    | Some "md"
    | Some "markdown" -> Markdown
    | Some other -> Commands.bad "format" other "text, md, csv or json"

/// The sizes of a run.
type Plan =
    {
        Nu: float
        Beta: float
        Dim: int
        Widths: int list
        Depths: int list
        Times: float[]
        FrontierWidths: int list
        Computes: float[]
        Rate: ScalingLaw.LearningRate
    }

/// Widths D/64 … D/4 for the fit, D/64 … D for the frontier (doubling, at least 1, distinct);
/// depths 1, 2, 4, … ≤ maxDepth.
let plan (nu: float) (beta: float) (dim: int) (maxDepth: int) (rate: ScalingLaw.LearningRate) =
    let d = float dim

    {
        Nu = nu
        Beta = beta
        Dim = dim
        Widths = ScalingLaw.doublingWidths dim 4
        Depths = List.unfold (fun l -> if l <= maxDepth then Some(l, 2 * l) else None) 1
        Times = ScalingLaw.fitTimes dim
        FrontierWidths = ScalingLaw.doublingWidths dim 1
        Computes = PowerLawFit.logSpace (1.25 * d * d * d) (1.25e8 * d * d * d) 17
        Rate = rate
    }

/// Everything `icl scaling-law` reports.
type Outcome =
    {
        Plan: Plan
        Curves: ScalingLaw.ScalingCurve list
        Fit: ScalingLaw.ChinchillaFit
        Symbolic: (string * float) list
        ShapeExponent: float
        Frontier: ScalingLaw.FrontierPoint[]
        FrontierSlope: float option
        DepthComputeSlope: float option
    }

/// d ln L*/d ln C over the frontier points whose L* lies strictly inside the depth grid (with N*
/// free, Eq. 18 gives L* ∝ C^(a_t/(a_t + a_L)) at fixed N).
let depthComputeSlope (depths: int list) (points: ScalingLaw.FrontierPoint[]) =
    let lo, hi = float (List.min depths), float (List.max depths)
    let inner = points |> Array.filter (fun p -> p.Depth > lo && p.Depth < hi)
    ScalingLaw.logLogSlope (inner |> Array.map (fun p -> p.Compute)) (inner |> Array.map (fun p -> p.Depth))

/// Runs the grid, the fit and the frontier with progress on standard error.
let run (p: Plan) (bootstrap: int) (seed: int) =
    let s = Spectrum.powerLaw p.Nu p.Beta p.Dim

    let shapes =
        [
            for n in p.Widths do
                for l in p.Depths -> ({ Width = n; Depth = l; Context = None }: ScalingLaw.Shape)
        ]

    let curves =
        Progress.run "scaling-law: engine grid (N, L)" (ScalingLaw.curves s shapes p.Times 1e-8)

    let lossAtZero = Spectrum.normalizedTrace s (fun l w -> l * w)
    let obs = ScalingLaw.fitObservations p.Rate p.Dim lossAtZero curves

    let options =
        { ScalingLaw.defaultFitOptions with
            Replicates = bootstrap
            Seed = seed
        }

    let fit =
        Progress.run "scaling-law: bootstrap fit" (ScalingLaw.fitWith options [| "t"; "N"; "L" |] obs)

    let grid =
        Progress.run
            "scaling-law: compute frontier"
            (ScalingLaw.engineFrontierGrid s p.Rate p.Computes p.FrontierWidths p.Depths 1e-8)

    let frontier = ScalingLaw.frontierOf grid

    let symbolic, shape =
        IclTheory.Derivations.ChinchillaClaims.symbolicExponents p.Nu p.Beta

    {
        Plan = p
        Curves = curves
        Fit = fit
        Symbolic = symbolic
        ShapeExponent = shape
        Frontier = frontier
        FrontierSlope = ScalingLaw.frontierSlope frontier
        DepthComputeSlope = depthComputeSlope p.Depths frontier
    }

/// Whether the symbolic value lies in the bootstrap interval.
let private agrees (e: ScalingLaw.ExponentEstimate) (symbolic: float) = e.Low <= symbolic && symbolic <= e.High

let private symbolicOf (o: Outcome) (name: string) =
    o.Symbolic |> List.find (fun (n, _) -> n = name) |> snd

/// The frontier slope of the fitted law: for Σ c_i r_i^(−a_i) at C = t·N²·L, stationarity gives
/// a_N c_N N^(−a_N) = 2a_L c_L L^(−a_L), so L* ∝ N*^(a_N/a_L).
let fittedLawFrontierSlope (o: Outcome) =
    let exponent name =
        (o.Fit.Estimates |> Array.find (fun e -> e.Name = name)).Exponent

    exponent "N" / exponent "L"

/// a_t/(a_t + a_L) from the symbolic exponents: L* ∝ C^(·) when width is free.
let predictedDepthComputeSlope (o: Outcome) =
    let at, aL = symbolicOf o "t", symbolicOf o "L"
    at / (at + aL)

/// The command-line name of a learning-rate convention.
let rateName (rate: ScalingLaw.LearningRate) =
    match rate with
    | ScalingLaw.Constant -> "constant"
    | ScalingLaw.WidthScaled -> "width-scaled"

/// constant or width-scaled.
let parseRate (s: string option) =
    match s |> Option.map (fun x -> x.Trim().ToLowerInvariant()) with
    | None
    | Some "constant" -> ScalingLaw.Constant
    | Some "width-scaled" -> ScalingLaw.WidthScaled
    | Some other -> Commands.bad "learning-rate" other "constant or width-scaled"

let private optionalNum (x: float option) =
    match x with
    | Some v -> Num v
    | None -> Null

/// The report: fields, the exponent table and the frontier table.
let report (o: Outcome) =
    let p = o.Plan

    {
        Fields =
            [
                "nu", Num p.Nu
                "beta", Num p.Beta
                "dim", int' p.Dim
                "learning_rate", Str(rateName p.Rate)
                "widths", Str(String.Join(" ", p.Widths))
                "depths", Str(String.Join(" ", p.Depths))
                "times", int' (p.Times.Length - 1)
                "grid_curves", int' o.Curves.Length
                "fit_points", int' o.Fit.Points
                "bootstrap", int' o.Fit.Replicates
                "level", Num o.Fit.Level
                "rms_log_residual", Num o.Fit.RmsLogResidual
                "frontier_slope", optionalNum o.FrontierSlope
                "frontier_slope_symbolic", Num o.ShapeExponent
                "fitted_law_frontier_slope", Num(fittedLawFrontierSlope o)
                "frontier_interior_points", int' (o.Frontier |> Array.filter (fun f -> f.Interior) |> Array.length)
                "frontier_width_at_max",
                Bool(
                    o.Frontier
                    |> Array.forall (fun f -> f.Width = float (List.max p.FrontierWidths))
                )
                "depth_compute_slope", optionalNum o.DepthComputeSlope
                "depth_compute_slope_symbolic", Num(predictedDepthComputeSlope o)
            ]
        Tables =
            [
                {
                    Name = "exponents"
                    Columns = [ "resource"; "fitted"; "low"; "high"; "coefficient"; "symbolic"; "agrees" ]
                    Rows =
                        o.Fit.Estimates
                        |> Array.map (fun e ->
                            let sym = symbolicOf o e.Name

                            [
                                Str e.Name
                                Num e.Exponent
                                Num e.Low
                                Num e.High
                                Num e.Coefficient
                                Num sym
                                Bool(agrees e sym)
                            ])
                        |> List.ofArray
                }
                {
                    Name = "frontier"
                    Columns = [ "compute"; "width"; "depth"; "time"; "loss"; "interior" ]
                    Rows =
                        o.Frontier
                        |> Array.map (fun f ->
                            [
                                Num f.Compute
                                Num f.Width
                                Num f.Depth
                                Num f.Time
                                Num f.Loss
                                Bool f.Interior
                            ])
                        |> List.ofArray
                }
            ]
    }

let private g6 (x: float) =
    x.ToString("G4", Globalization.CultureInfo.InvariantCulture)

/// Markdown: the exponent table and the frontier summary.
let markdown (o: Outcome) =
    let sb = StringBuilder()
    let p = o.Plan

    sb
        .AppendLine(
            sprintf
                "Eq. 18 fitted to the engine at ν = %s, β = %s, D = %d, learning rate %s (N ∈ {%s}, L ∈ {%s}, P → ∞; %d points, %d bootstrap replicates, %s%% intervals; RMS log residual %s)."
                (g6 p.Nu)
                (g6 p.Beta)
                p.Dim
                (rateName p.Rate)
                (String.Join(", ", p.Widths))
                (String.Join(", ", p.Depths))
                o.Fit.Points
                o.Fit.Replicates
                (g6 (100.0 * o.Fit.Level))
                (g6 o.Fit.RmsLogResidual)
        )
        .AppendLine()
        .AppendLine("| resource | fitted a | interval | symbolic a | agrees |")
        .AppendLine("|---|---|---|---|---|")
    |> ignore

    for e in o.Fit.Estimates do
        let sym = symbolicOf o e.Name

        sb.AppendLine(
            sprintf
                "| %s | %s | [%s, %s] | %s | %s |"
                e.Name
                (g6 e.Exponent)
                (g6 e.Low)
                (g6 e.High)
                (g6 sym)
                (if agrees e sym then "yes" else "no")
        )
        |> ignore

    let slope =
        match o.FrontierSlope with
        | Some s -> g6 s
        | None -> "none (fewer than 3 interior optima)"

    let depthSlope =
        match o.DepthComputeSlope with
        | Some s -> g6 s
        | None -> "none"

    sb
        .AppendLine()
        .AppendLine(
            sprintf
                "Frontier at C = t·N²·L: d ln L*/d ln N* = %s on the engine, %s on the fitted law (a_N/a_L) (Result 8: ν = %s)."
                slope
                (g6 (fittedLawFrontierSlope o))
                (g6 o.ShapeExponent)
        )
        .AppendLine(
            sprintf
                "d ln L*/d ln C = %s (a_t/(a_t + a_L) = %s from the symbolic exponents, the prediction when N* is not limited by compute)."
                depthSlope
                (g6 (predictedDepthComputeSlope o))
        )
        .ToString()

/// The figure: final loss against N for each depth (engine solid, fitted law dashed) and the
/// frontier's L* and N* against C.
let plot (stem: string) (o: Outcome) =
    let law = o.Fit.Law

    let finals =
        o.Plan.Depths
        |> List.collect (fun l ->
            let cs = o.Curves |> List.filter (fun c -> c.Shape.Depth = l)
            let n = cs |> List.map (fun c -> float c.Shape.Width) |> Array.ofList

            [
                {
                    Plots.Line.Label = sprintf "engine L=%d" l
                    Plots.Line.X = n
                    Plots.Line.Y = cs |> List.map (fun c -> c.Final.Loss) |> Array.ofList
                    Plots.Line.Dashed = false
                }
                {
                    Plots.Line.Label = sprintf "fit L=%d" l
                    Plots.Line.X = n
                    Plots.Line.Y = n |> Array.map (fun w -> ScalingLaw.lawValue law [| infinity; w; float l |])
                    Plots.Line.Dashed = true
                }
            ])

    let a =
        {
            Plots.Panel.Title = "final loss vs width (t → ∞)"
            Plots.Panel.XLabel = "width N"
            Plots.Panel.YLabel = "loss"
            Plots.Panel.LogX = true
            Plots.Panel.LogY = true
            Plots.Panel.Lines = finals
            Plots.Panel.Dots = []
        }

    let c = o.Frontier |> Array.map (fun f -> f.Compute)

    let b =
        Plots.linesPanel
            "compute-optimal shape, C = t·N²·L"
            "compute C"
            "N*, L*"
            true
            true
            [
                "N*", c, o.Frontier |> Array.map (fun f -> f.Width)
                "L*", c, o.Frontier |> Array.map (fun f -> f.Depth)
            ]

    Plots.save stem [ a; b ]

/// `icl scaling-law`.
let command (a: ParseResults<Args.ScalingLawArgs>) =
    let format = parseFormat (a.TryGetResult Args.ScalingLawArgs.Format)
    let rate = parseRate (a.TryGetResult Args.ScalingLawArgs.Learning_Rate)
    let nu = a.GetResult(Args.ScalingLawArgs.Nu, defaultValue = 1.0)
    let beta = a.GetResult(Args.ScalingLawArgs.Beta, defaultValue = 1.0)
    Validate.positive "nu" nu
    Validate.positive "beta" beta
    let dim = a.GetResult(Args.ScalingLawArgs.Dim, defaultValue = 2000)
    Commands.inRangeInt "dim" 256 ScalingCommands.MaxDim dim
    let maxDepth = a.GetResult(Args.ScalingLawArgs.Max_Depth, defaultValue = 64)
    Commands.inRangeInt "max-depth" 4 256 maxDepth
    let bootstrap = a.GetResult(Args.ScalingLawArgs.Bootstrap, defaultValue = 200)
    Commands.inRangeInt "bootstrap" 20 100000 bootstrap
    let seed = a.GetResult(Args.ScalingLawArgs.Seed, defaultValue = 1)
    Commands.inRangeInt "seed" 0 Int32.MaxValue seed
    let outcome = run (plan nu beta dim maxDepth rate) bootstrap seed

    a.TryGetResult Args.ScalingLawArgs.Plot
    |> Option.iter (fun stem -> plot stem outcome)

    match format with
    | Plain f -> Output.render f (report outcome)
    | Markdown -> markdown outcome

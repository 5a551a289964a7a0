/// The computational commands: optimum, loss, landscape, flow, sgd, train.
module IclTheory.Cli.Commands

open System
open Argu
open IclTheory.Solver
open IclTheory.Simulation
open IclTheory.Derivations
open IclTheory.Cli.Output

/// Raises the bad-input error (exit 2) naming the parameter, its value and the allowed range.
let bad (name: string) (value: string) (allowed: string) =
    raise (InvalidParameterException(name, value, allowed))

/// The output format chosen with --format (text by default).
let format (f: Args.FormatArg option) =
    match f with
    | Some Args.Json -> Json
    | Some Args.Csv -> Csv
    | Some Args.Text
    | None -> Text

/// The data setting named on the command line: iso, fs or rrs.
type SettingName =
    | IsoSetting
    | FsSetting
    | RrsSetting

/// Parses --setting (case-insensitive).
let parseSetting (setting: string) =
    match setting.Trim().ToLowerInvariant() with
    | "iso" -> IsoSetting
    | "fs" -> FsSetting
    | "rrs" -> RrsSetting
    | _ -> bad "setting" setting "iso, fs or rrs"

/// Commands that only have the isotropic setting.
let requireIso (setting: string) =
    if parseSetting setting <> IsoSetting then
        bad "setting" setting "iso (this command's fs/rrs counterpart is `icl flow --setting fs|rrs` / `icl ood`)"

/// An integer ≥ 1 (Some) or inf, infinity, ∞ (None) from option `name`; anything else is refused
/// with `allowed`.
let private positiveOrInfinite (name: string) (allowed: string) (text: string) =
    match text.Trim().ToLowerInvariant() with
    | "inf"
    | "infinity"
    | "∞" -> None
    | t ->
        match Int32.TryParse t with
        | true, n when n >= 1 -> Some n
        | _ -> bad name text allowed

/// Depth L from the command line: an integer ≥ 1 or inf.
let parseDepth (s: string) =
    match positiveOrInfinite "depth" "an integer >= 1, or inf" s with
    | Some l -> Finite l
    | None -> Infinite

let depthText (d: Depth) =
    match d with
    | Finite l -> Int(int64 l)
    | Infinite -> Str "inf"

/// Refuses the first option that was given where it does not apply: (given, name) pairs, and where
/// the option is allowed.
let refuseGiven (allowedWhere: string) (options: (bool * string) list) =
    options
    |> List.tryFind fst
    |> Option.iter (fun (_, name) -> bad name "(given)" allowedWhere)

/// The context length of `--context`: an integer ≥ 1, or inf (P → ∞, Σ̂ = Λ).
let parseContext (text: string) =
    positiveOrInfinite "context" "an integer ≥ 1, or inf" text

/// Refuses an integer outside [lo, hi], naming the parameter.
let inRangeInt (name: string) (lo: int) (hi: int) (n: int) =
    if n < lo || n > hi then
        bad name (string n) (sprintf "an integer in [%d, %d]" lo hi)

/// The ISO parameters of a theory command, validated at the door: the setting, α, the depth
/// (integer or inf) and σ² (absent: 0).
let private isoParams (setting: string) (alpha: float) (depth: string) (sigma2: float option) =
    requireIso setting

    let p =
        {
            Alpha = alpha
            Depth = parseDepth depth
            Sigma2 = defaultArg sigma2 0.0
        }

    IsoLandscape.validate p
    p

let private commonFields (p: IsoParams) =
    [
        "setting", Str "iso"
        "alpha", Num p.Alpha
        "depth", depthText p.Depth
        "sigma2", Num p.Sigma2
    ]

/// `icl optimum`: γ* and ℒ* (Eq. 8 with the σ² term of Eq. 83).
let optimum (a: ParseResults<Args.OptimumArgs>) =
    let p =
        isoParams
            (a.GetResult Args.OptimumArgs.Setting)
            (a.GetResult Args.OptimumArgs.Alpha)
            (a.GetResult Args.OptimumArgs.Depth)
            (a.TryGetResult Args.OptimumArgs.Noise)

    let o = IsoLandscape.optimum p

    format (a.TryGetResult Args.OptimumArgs.Format),
    {
        Fields =
            commonFields p
            @ [
                "gamma_star", Num o.GammaStar
                "loss_star", Num o.LossStar
                "test_loss_star", Num(o.LossStar + p.Sigma2)
                "error_estimate", Num o.ErrorEstimate
            ]
        Tables = []
    }

/// `icl loss`: ℒ(γ) of Eq. 83 and dℒ/dγ.
let loss (a: ParseResults<Args.LossArgs>) =
    refuseGiven
        "only with --setting rrs"
        [
            a.Contains Args.LossArgs.Dim, "dim"
            a.Contains Args.LossArgs.Width, "width"
            a.Contains Args.LossArgs.Context, "context"
            a.Contains Args.LossArgs.Nu, "nu"
            a.Contains Args.LossArgs.Beta, "beta"
            a.Contains Args.LossArgs.Spectrum, "spectrum"
            a.Contains Args.LossArgs.Projection, "projection"
            a.Contains Args.LossArgs.Tolerance, "tolerance"
        ]

    if not (a.Contains Args.LossArgs.Alpha) then
        bad "alpha" "(missing)" "a context ratio α = P/D > 0 (required with --setting iso)"

    let p =
        isoParams
            (a.GetResult Args.LossArgs.Setting)
            (a.GetResult Args.LossArgs.Alpha)
            (a.GetResult Args.LossArgs.Depth)
            (a.TryGetResult Args.LossArgs.Noise)

    let gamma = a.GetResult Args.LossArgs.Gamma
    Validate.finite "gamma" gamma
    let q = IsoLandscape.lossWithError p gamma

    format (a.TryGetResult Args.LossArgs.Format),
    {
        Fields =
            commonFields p
            @ [
                "gamma", Num gamma
                "loss", Num q.Value
                "test_loss", Num(q.Value + p.Sigma2)
                "dloss_dgamma", Num(IsoLandscape.derivative p gamma)
                "error_estimate", Num q.ErrorEstimate
            ]
        Tables = []
    }

/// Evenly spaced values from lo to hi.
let linspace (lo: float) (hi: float) (n: int) =
    Array.init n (fun i -> lo + (hi - lo) * float i / float (n - 1))

/// Log-spaced values from lo to hi (both > 0).
let logspace (lo: float) (hi: float) (n: int) =
    Array.init n (fun i -> lo * (hi / lo) ** (float i / float (n - 1)))

/// The default right end of a landscape: twice the optimum, or 4 where the optimum is at infinity.
let defaultGammaMax (p: IsoParams) =
    let o = IsoLandscape.optimum p

    if Double.IsFinite o.GammaStar then
        2.0 * o.GammaStar
    else
        4.0

/// `icl landscape`: ℒ(γ) over a range (Figure 2).
let landscape (a: ParseResults<Args.LandscapeArgs>) =
    let p =
        isoParams
            (a.GetResult Args.LandscapeArgs.Setting)
            (a.GetResult Args.LandscapeArgs.Alpha)
            (a.GetResult Args.LandscapeArgs.Depth)
            (a.TryGetResult Args.LandscapeArgs.Noise)

    let lo = a.GetResult(Args.LandscapeArgs.Gamma_Min, defaultValue = 0.0)
    let hi = a.GetResult(Args.LandscapeArgs.Gamma_Max, defaultValue = defaultGammaMax p)
    let n = a.GetResult(Args.LandscapeArgs.Points, defaultValue = 101)
    Validate.finite "gamma-min" lo
    Validate.finite "gamma-max" hi

    if hi <= lo then
        bad "gamma-max" (string hi) (sprintf "a number > gamma-min = %g" lo)

    inRangeInt "points" 2 100000 n
    let gammas = linspace lo hi n
    let losses = gammas |> Array.map (IsoLandscape.loss p)
    let o = IsoLandscape.optimum p

    a.TryGetResult Args.LandscapeArgs.Plot
    |> Option.iter (fun stem ->
        Plots.save
            stem
            [
                Plots.curvePanel
                    (sprintf "ISO landscape, α = %g, L = %s, σ² = %g" p.Alpha (valueText (depthText p.Depth)) p.Sigma2)
                    "γ"
                    "loss L(γ) (Eq. 83)"
                    false
                    true
                    "theory"
                    gammas
                    losses
            ])

    format (a.TryGetResult Args.LandscapeArgs.Format),
    {
        Fields = commonFields p @ [ "gamma_star", Num o.GammaStar; "loss_star", Num o.LossStar ]
        Tables =
            [
                {
                    Name = "curve"
                    Columns = [ "gamma"; "loss" ]
                    Rows = Array.map2 (fun g l -> [ Num g; Num l ]) gammas losses |> List.ofArray
                }
            ]
    }

/// `icl flow`: γ(t) and ℒ(t) from γ(0) = 0 (Eq. 7, or Eq. 83's printed time scale).
let flow (a: ParseResults<Args.FlowArgs>) =
    let alpha =
        match a.TryGetResult Args.FlowArgs.Alpha with
        | Some alpha -> alpha
        | None -> bad "alpha" "(missing)" "a number > 0 (required with --setting iso)"

    let p =
        isoParams
            (a.GetResult Args.FlowArgs.Setting)
            alpha
            (a.GetResult Args.FlowArgs.Depth)
            (a.TryGetResult Args.FlowArgs.Noise)

    let tMax = a.GetResult(Args.FlowArgs.T_Max, defaultValue = 100.0)
    Validate.positive "t-max" tMax
    let n = a.GetResult(Args.FlowArgs.Points, defaultValue = 60)
    inRangeInt "points" 2 100000 n

    let convention =
        match a.GetResult(Args.FlowArgs.Convention, defaultValue = "eq7").ToLowerInvariant() with
        | "eq7" -> IsoFlow.Eq7
        | "eq83" -> IsoFlow.Eq83
        | other -> bad "convention" other "eq7 or eq83"

    let methodName =
        a.GetResult(Args.FlowArgs.Method, defaultValue = "rk").ToLowerInvariant()

    let times = Array.append [| 0.0 |] (logspace (tMax / 1e4) tMax (n - 1))

    let curve =
        match methodName with
        | "rk" -> IsoFlow.byRungeKutta p convention times
        | "quadrature" -> IsoFlow.byQuadrature p convention times
        | other -> bad "method" other "rk or quadrature"

    a.TryGetResult Args.FlowArgs.Plot
    |> Option.iter (fun stem ->
        let ts = curve |> Array.map (fun c -> c.T)

        Plots.save
            stem
            [
                Plots.curvePanel "γ(t)" "t" "γ" true false "γ(t)" ts (curve |> Array.map (fun c -> c.Gamma))
                Plots.curvePanel "loss L(t)" "t" "loss" true true "L(γ(t))" ts (curve |> Array.map (fun c -> c.Loss))
            ])

    format (a.TryGetResult Args.FlowArgs.Format),
    {
        Fields =
            commonFields p
            @ [
                "method", Str methodName
                "convention", Str(if convention = IsoFlow.Eq7 then "eq7" else "eq83")
            ]
        Tables =
            [
                {
                    Name = "curve"
                    Columns = [ "t"; "gamma"; "loss" ]
                    Rows =
                        curve
                        |> Array.map (fun c -> [ Num c.T; Num c.Gamma; Num c.Loss ])
                        |> List.ofArray
                }
            ]
    }

/// `icl sgd`: Result 10's curves, as printed and as the engine derives them.
let sgd (a: ParseResults<Args.SgdArgs>) =
    let sp: ShallowSgd.SgdParams =
        {
            Eta = a.GetResult(Args.SgdArgs.Lr, defaultValue = 0.1)
            Alpha = a.GetResult(Args.SgdArgs.Alpha, defaultValue = 1.0)
            Kappa = a.GetResult(Args.SgdArgs.Kappa, defaultValue = 1.0)
            Tau = a.GetResult(Args.SgdArgs.Tau, defaultValue = 1.0)
            Sigma2 = a.GetResult(Args.SgdArgs.Noise, defaultValue = 0.0)
        }

    ShallowSgd.validate sp
    let steps = a.GetResult(Args.SgdArgs.Steps, defaultValue = 200)
    inRangeInt "steps" 1 10_000_000 steps

    let rows =
        [
            for k in 0..steps ->
                [
                    int' k
                    Num(ShallowSgd.printedLoss sp k)
                    Num(ShallowSgd.engineTestLoss sp k)
                    Num(ShallowSgd.engineDistanceToIdentity sp k)
                ]
        ]

    format (a.TryGetResult Args.SgdArgs.Format),
    {
        Fields =
            [
                "alpha", Num sp.Alpha
                "kappa", Num sp.Kappa
                "tau", Num sp.Tau
                "lr", Num sp.Eta
                "sigma2", Num sp.Sigma2
            ]
        Tables =
            [
                {
                    Name = "curve"
                    Columns = [ "step"; "printed_loss"; "engine_test_loss"; "engine_distance_to_identity" ]
                    Rows = rows
                }
            ]
    }

/// The task of `icl train`: ISO (Eq. 5), or FS/RRS with the power-law spectra of Eq. 88.
let private trainTask
    (setting: SettingName)
    (a: ParseResults<Args.TrainArgs>)
    dim
    alpha
    kappa
    sigma2
    : IRegressionTask =
    match setting with
    | IsoSetting ->
        refuseGiven
            "only with --setting fs or rrs"
            [ a.Contains Args.TrainArgs.Nu, "nu"; a.Contains Args.TrainArgs.Beta, "beta" ]

        IsoClaims.isoTask dim alpha kappa sigma2
    | FsSetting
    | RrsSetting ->
        let nu = a.GetResult(Args.TrainArgs.Nu, defaultValue = 1.0)
        let beta = a.GetResult(Args.TrainArgs.Beta, defaultValue = 1.0)
        Validate.positive "nu" nu
        Validate.positive "beta" beta

        StructuredTask.PowerLaw(
            dim,
            alpha,
            kappa,
            sigma2,
            nu,
            beta,
            (if setting = FsSetting then
                 CovarianceSetting.Fixed
             else
                 CovarianceSetting.RandomRotation)
        )

let private settingText (setting: SettingName) =
    match setting with
    | IsoSetting -> "iso"
    | FsSetting -> "fs"
    | RrsSetting -> "rrs"

/// The first `n` diagonal entries Γ_kk logged at a point (the eigenbasis of Σ = Λ in FS).
let private leadingDiagonal (n: int) (p: TrainPoint) =
    [ for k in 0 .. n - 1 -> Num p.GammaDiagonal[k] ]

/// Runs a trainer with progress on standard error (`report` receives steps done and total).
let private withTrainingProgress (train: IProgress<struct (int * int)> -> 'result) =
    Progress.run "training" (fun report -> train (Progress<struct (int * int)>(fun struct (d, n) -> report d n)))

/// The `curve` table of a training run: step, flow time, test loss and its SE, then the model's
/// own columns.
let private trainingCurve (extraColumns: string list) (rows: seq<Value list>) =
    {
        Name = "curve"
        Columns = [ "step"; "flow_time"; "loss"; "se" ] @ extraColumns
        Rows = List.ofSeq rows
    }

/// The leading cells of a curve row (the columns of `trainingCurve`).
let private stepCells (step: int) (time: float) (loss: float) (se: float) =
    [ int' step; Num time; Num loss; Num se ]

/// Reduced-Γ training (`--model reduced`): the curve with γ̄, anisotropy and, for fs/rrs, Γ_kk.
let private trainReduced (options: TrainOptions) (setting: SettingName) =
    let result = withTrainingProgress (fun p -> ReducedGammaTrainer.Train(options, p))
    let modes = if setting = IsoSetting then 0 else min 4 options.Task.Dim

    let table =
        trainingCurve
            ([ "gamma_bar"; "anisotropy"; "distance_to_identity" ]
             @ [ for k in 1..modes -> sprintf "gamma_%d%d" k k ])
            (result.Curve
             |> Seq.map (fun p ->
                 stepCells p.Step p.Time p.Loss p.Se
                 @ [ Num p.GammaBar; Num p.Anisotropy; Num p.DistanceToIdentity ]
                 @ leadingDiagonal modes p))

    result.FinalLoss, result.FinalLossSe, result.ContextsPerSecond, table

/// Untied training (`--model untied`): per-layer γ̄^ℓ and their balance spread (Figure 8b).
let private trainUntied (options: TrainOptions) =
    let result =
        withTrainingProgress (fun p -> UntiedGammaTrainer.Train(options, null, p))

    let table =
        trainingCurve
            ([ "gamma_bar"; "balance_spread" ]
             @ [ for l in 1 .. options.Depth -> sprintf "gamma_bar_layer_%d" l ])
            (result.Curve
             |> Seq.map (fun p ->
                 stepCells p.Step p.Time p.Loss p.Se
                 @ [ Num p.MeanGammaBar; Num p.BalanceSpread ]
                 @ [ for g in p.LayerGammaBars -> Num g ]))

    result.FinalLoss, result.FinalLossSe, result.ContextsPerSecond, table

/// Full attention training (`--model attention`): loss, γ̄ of Γ_eff, anisotropy and the scale w.
let private trainAttention (options: TrainOptions) (a: ParseResults<Args.TrainArgs>) =
    let sigma = a.GetResult(Args.TrainArgs.Init_Sigma, defaultValue = 0.5)
    Validate.positive "init-sigma" sigma
    let width = a.TryGetResult Args.TrainArgs.Width
    let task = options.Task

    let attention =
        FullAttentionOptions(
            (fun () -> task.CreateContext()),
            options.Depth,
            options.Steps,
            options.Batch,
            options.LearningRate,
            options.Seed,
            FullAttentionInit.Aligned sigma,
            Width = Option.toNullable width,
            FixedReadout = not (a.Contains Args.TrainArgs.Free_Readout),
            EvalContexts = options.EvalContexts,
            LogSteps = options.LogSteps,
            AnnealFraction = options.AnnealFraction,
            AnnealFloor = options.AnnealFloor
        )

    let result =
        withTrainingProgress (fun p -> FullAttentionTrainer.Train(attention, p))

    let table =
        trainingCurve
            [ "gamma_bar"; "anisotropy"; "w" ]
            (result.Curve
             |> Seq.map (fun p ->
                 stepCells p.Step p.Time p.Loss p.Se
                 @ [ Num p.GammaBar; Num p.Anisotropy; Num p.Scales.W ]))

    result.FinalLoss, result.FinalLossSe, result.ContextsPerSecond, table

/// `icl train`: trains a model by online SGD (Eq. 62's convention) and evaluates it on fresh contexts.
let train (a: ParseResults<Args.TrainArgs>) =
    let model =
        a.GetResult(Args.TrainArgs.Model, defaultValue = "reduced").ToLowerInvariant()

    if model <> "reduced" && model <> "untied" && model <> "attention" then
        bad "model" model "reduced, untied or attention"

    if model <> "attention" then
        refuseGiven
            "only with --model attention"
            [
                a.Contains Args.TrainArgs.Init_Sigma, "init-sigma"
                a.Contains Args.TrainArgs.Width, "width"
                a.Contains Args.TrainArgs.Free_Readout, "free-readout"
            ]

    let setting =
        parseSetting (a.GetResult(Args.TrainArgs.Setting, defaultValue = "iso"))

    let dim = a.GetResult Args.TrainArgs.Dim
    inRangeInt "dim" 1 4096 dim
    let alpha = a.GetResult Args.TrainArgs.Alpha
    Validate.positive "alpha" alpha
    let kappa = a.GetResult(Args.TrainArgs.Kappa, defaultValue = 1.0)
    Validate.positive "kappa" kappa
    let depth = a.GetResult Args.TrainArgs.Depth
    inRangeInt "depth" 1 100000 depth
    let sigma2 = a.GetResult(Args.TrainArgs.Noise, defaultValue = 0.0)
    Validate.nonNegative "sigma2" sigma2

    a.TryGetResult Args.TrainArgs.Width
    |> Option.iter (fun r -> inRangeInt "width" (dim + 1) 1_000_000 r)

    let anneal =
        a.GetResult(Args.TrainArgs.Anneal, defaultValue = TrainDefaults.annealFraction)

    Validate.inRange "anneal" 0.0 1.0 anneal
    let seed = a.GetResult(Args.TrainArgs.Seed, defaultValue = 1L)

    if seed < 0L then
        bad "seed" (string seed) "an integer >= 0"

    let evalContexts = a.GetResult(Args.TrainArgs.Eval_Contexts, defaultValue = 512)
    inRangeInt "eval-contexts" 2 10_000_000 evalContexts
    let logPoints = a.GetResult(Args.TrainArgs.Log_Points, defaultValue = 25)
    inRangeInt "log-points" 2 1000 logPoints
    let task = trainTask setting a dim alpha kappa sigma2

    let batch =
        a.GetResult(Args.TrainArgs.Batch, defaultValue = TrainDefaults.batch task)

    inRangeInt "batch" 1 10_000_000 batch

    let defaultLr =
        if model = "attention" then
            TrainDefaults.attentionLearningRate task batch depth
        else
            TrainDefaults.learningRate task batch depth

    let lr = a.GetResult(Args.TrainArgs.Lr, defaultValue = defaultLr)
    Validate.positive "lr" lr
    let steps = a.GetResult(Args.TrainArgs.Steps, defaultValue = TrainDefaults.steps lr)
    inRangeInt "steps" 0 100_000_000 steps

    let options =
        TrainOptions(
            task,
            depth,
            steps,
            batch,
            lr,
            uint64 seed,
            EvalContexts = evalContexts,
            LogSteps = TrainDefaults.logSteps steps logPoints,
            AnnealFraction = anneal,
            AnnealFloor = TrainDefaults.annealFloorRatio * lr
        )

    let finalLoss, finalSe, throughput, table =
        match model with
        | "untied" -> trainUntied options
        | "attention" -> trainAttention options a
        | _ -> trainReduced options setting

    let theory =
        match setting with
        | IsoSetting ->
            let o =
                IsoLandscape.optimum
                    {
                        Alpha = alpha
                        Depth = Finite depth
                        Sigma2 = sigma2
                    }

            [
                "theory_test_loss_star", Num(o.LossStar + sigma2)
                "theory_gamma_star", Num o.GammaStar
            ]
        | _ -> []

    let spectrum =
        match setting with
        | IsoSetting -> []
        | _ ->
            [
                "nu", Num(a.GetResult(Args.TrainArgs.Nu, defaultValue = 1.0))
                "beta", Num(a.GetResult(Args.TrainArgs.Beta, defaultValue = 1.0))
            ]

    format (a.TryGetResult Args.TrainArgs.Format),
    {
        Fields =
            [
                "model", Str model
                "setting", Str(settingText setting)
                "dim", int' dim
                "context", int' task.Context
                "eval_points", int' task.Eval
                "alpha", Num alpha
                "kappa", Num kappa
                "depth", int' depth
                "sigma2", Num sigma2
            ]
            @ spectrum
            @ [
                "steps", int' steps
                "batch", int' batch
                "lr", Num lr
                "anneal", Num anneal
                "seed", Int seed
                "final_loss", Num finalLoss
                "final_loss_se", Num finalSe
            ]
            @ theory
            @ [ "contexts_per_second", Num throughput ]
        Tables = [ table ]
    }

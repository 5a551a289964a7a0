/// The structured-covariance commands: `icl flow --setting fs|rrs` (Results 4 and 6 at
/// N, P → ∞) and `icl ood` (Result 5).
module IclTheory.Cli.StructuredCommands

open System
open System.IO
open Argu
open IclTheory.Solver
open IclTheory.Cli.Output

/// The spectrum of a command: a CSV file of (λ_k, ω_k) when given, else the power law
/// λ_k = k^(−ν), ω_k = k^(−νβ−1)/λ_k with M modes.
let spectrumOf (path: string option) (nu: float option) (beta: float option) (modes: int) =
    match path with
    | Some file ->
        if not (File.Exists file) then
            Commands.bad "spectrum" file "an existing CSV file of lambda,omega rows"

        Spectrum.parseCsv (File.ReadAllText file)
    | None -> Spectrum.powerLaw (defaultArg nu 1.0) (defaultArg beta 1.0) modes

/// Fields describing a spectrum in a report.
let spectrumFields (path: string option) (nu: float option) (beta: float option) (s: Spectrum.Spectrum) =
    match path with
    | Some file -> [ "spectrum", Str file; "modes", int' (Spectrum.modes s) ]
    | None ->
        [
            "spectrum", Str "power-law"
            "nu", Num(defaultArg nu 1.0)
            "beta", Num(defaultArg beta 1.0)
            "modes", int' (Spectrum.modes s)
        ]

/// Output times: 0, then `n − 1` log-spaced values from tMin to tMax.
let private flowTimes (tMin: float) (tMax: float) (n: int) =
    Array.append [| 0.0 |] (Commands.logspace tMin tMax (n - 1))

let private fsConvention (name: string) =
    match name.ToLowerInvariant() with
    | "eq10" -> FsTheory.Eq10
    | "eq85" -> FsTheory.Eq85
    | other -> Commands.bad "convention" other "eq10 or eq85 (with --setting fs)"

let private depthLabel (d: Depth) = valueText (Commands.depthText d)

/// `icl flow --setting fs`: the mode flows γ_k(t) of Eq. 10 (or Eq. 85) and ℒ(t) of Eq. 84.
let private fsFlow (a: ParseResults<Args.FlowArgs>) (s: Spectrum.Spectrum) (depth: Depth) (times: float[]) =
    let convention =
        fsConvention (a.GetResult(Args.FlowArgs.Convention, defaultValue = "eq10"))

    let leading = a.GetResult(Args.FlowArgs.Leading, defaultValue = 4)
    Commands.inRangeInt "leading" 1 64 leading
    let leading = min leading (Spectrum.modes s)
    let curve = FsTheory.curve s convention depth leading times

    a.TryGetResult Args.FlowArgs.Plot
    |> Option.iter (fun stem ->
        let ts = curve |> Array.map (fun c -> c.T)

        Plots.save
            stem
            [
                Plots.curvePanel
                    (sprintf "FS loss, L = %s" (depthLabel depth))
                    "t"
                    "loss L(t) (Eq. 84)"
                    true
                    true
                    "theory"
                    ts
                    (curve |> Array.map (fun c -> c.Loss))
                Plots.curvePanel
                    "leading eigenvalue γ₁(t) of Γ"
                    "t"
                    "γ₁"
                    true
                    false
                    "γ₁(t)"
                    ts
                    (curve |> Array.map (fun c -> c.Gammas[0]))
            ])

    [ "convention", Str(if convention = FsTheory.Eq10 then "eq10" else "eq85") ],
    {
        Name = "curve"
        Columns = [ "t"; "loss" ] @ [ for k in 1..leading -> sprintf "gamma_%d" k ]
        Rows =
            curve
            |> Array.map (fun c -> [ Num c.T; Num c.Loss ] @ [ for g in c.Gammas -> Num g ])
            |> List.ofArray
    }

/// `icl flow --setting rrs --width N --context P`: the flow dγ/dt = −½∂ℒ/∂γ on the two-point loss
/// (Result 7, Eq. 103) at finite width and context, with D modes from --dim (default 1000) or the
/// spectrum file; beyond saturation the curve holds the first stationary point γ* (ScalingLaw).
let private twoPointFlow (a: ParseResults<Args.FlowArgs>) (s: Spectrum.Spectrum) (depth: Depth) (times: float[]) =
    if a.Contains Args.FlowArgs.Modes then
        Commands.bad "modes" (string (a.GetResult Args.FlowArgs.Modes)) "not with --width or --context (use --dim)"

    let l =
        match depth with
        | Finite l -> l
        | Infinite -> Commands.bad "depth" "inf" "an integer ≥ 1 with --width or --context"

    match a.TryGetResult Args.FlowArgs.Dim with
    | Some d when a.Contains Args.FlowArgs.Spectrum && d <> Spectrum.modes s ->
        Commands.bad "dim" (string d) (sprintf "the length of the spectrum file, %d (or omit --dim)" (Spectrum.modes s))
    | Some d -> Commands.inRangeInt "dim" 2 20000 d
    | None -> ()

    let d = Spectrum.modes s
    let width = a.GetResult(Args.FlowArgs.Width, defaultValue = d)
    Commands.inRangeInt "width" 1 d width

    let context =
        Commands.parseContext (a.GetResult(Args.FlowArgs.Context, defaultValue = "inf"))

    let b: TwoPoint.Bottleneck =
        {
            AlphaN = float width / float d
            AlphaP = context |> Option.map (fun p -> float p / float d)
        }

    let k = ScalingLaw.kernelForDepths s b [ l ] 1e-8
    let final = ScalingLaw.finalLossOn k l
    let curve = ScalingLaw.lossCurveOn k l final times

    [
        "dim", int' d
        "width", int' width
        "context",
        (match context with
         | Some p -> int' p
         | None -> Str "inf")
        "gamma_star", Num final.GammaStar
        "final_loss", Num final.Loss
    ],
    curve |> Array.map (fun p -> p.T, p.Gamma, p.Loss)

/// `icl flow --setting rrs`: the isotropic flow γ(t) of Eq. 13 and ℒ(γ(t)) of Eq. 94 at N, P → ∞,
/// or with --width/--context the two-point flow at finite N and P.
let private rrsFlow (a: ParseResults<Args.FlowArgs>) (s: Spectrum.Spectrum) (depth: Depth) (times: float[]) =
    if a.Contains Args.FlowArgs.Convention then
        Commands.bad
            "convention"
            (a.GetResult Args.FlowArgs.Convention)
            "not used with --setting rrs (Eq. 13's time is SGD time)"

    let bottlenecked =
        a.Contains Args.FlowArgs.Width || a.Contains Args.FlowArgs.Context

    if a.Contains Args.FlowArgs.Dim && not bottlenecked then
        Commands.bad "dim" (string (a.GetResult Args.FlowArgs.Dim)) "only with --width or --context (else --modes)"

    let extra, curve =
        if bottlenecked then
            twoPointFlow a s depth times
        else
            [], RrsTheory.flow s depth times |> Array.map (fun p -> p.T, p.Gamma, p.Loss)

    a.TryGetResult Args.FlowArgs.Plot
    |> Option.iter (fun stem ->
        let ts = curve |> Array.map (fun (t, _, _) -> t)

        Plots.save
            stem
            [
                Plots.curvePanel "γ(t)" "t" "γ" true true "γ(t)" ts (curve |> Array.map (fun (_, g, _) -> g))
                Plots.curvePanel
                    (sprintf "RRS loss, L = %s" (depthLabel depth))
                    "t"
                    "loss"
                    true
                    true
                    "L(γ(t))"
                    ts
                    (curve |> Array.map (fun (_, _, l) -> l))
            ])

    extra,
    {
        Name = "curve"
        Columns = [ "t"; "gamma"; "loss" ]
        Rows = curve |> Array.map (fun (t, g, l) -> [ Num t; Num g; Num l ]) |> List.ofArray
    }

/// `icl flow --setting fs|rrs`.
let flow (setting: Commands.SettingName) (a: ParseResults<Args.FlowArgs>) =
    Commands.refuseGiven
        "only with --setting iso (fs/rrs are the P → ∞, noise-free limits)"
        [
            a.Contains Args.FlowArgs.Alpha, "alpha"
            a.Contains Args.FlowArgs.Noise, "noise"
        ]

    if a.Contains Args.FlowArgs.Method then
        Commands.bad "method" (a.GetResult Args.FlowArgs.Method) "only with --setting iso"

    let path = a.TryGetResult Args.FlowArgs.Spectrum
    let nu = a.TryGetResult Args.FlowArgs.Nu
    let beta = a.TryGetResult Args.FlowArgs.Beta
    // With --width/--context (rrs), D follows --dim; twoPointFlow refuses --modes there.
    let modes =
        if a.Contains Args.FlowArgs.Width || a.Contains Args.FlowArgs.Context then
            max 1 (a.GetResult(Args.FlowArgs.Dim, defaultValue = 1000))
        else
            a.GetResult(Args.FlowArgs.Modes, defaultValue = 1000)

    let s = spectrumOf path nu beta modes
    let depth = Commands.parseDepth (a.GetResult Args.FlowArgs.Depth)
    let tMax = a.GetResult(Args.FlowArgs.T_Max, defaultValue = 1e6)
    Validate.positive "t-max" tMax
    let tMin = a.GetResult(Args.FlowArgs.T_Min, defaultValue = tMax / 1e6)
    Validate.positive "t-min" tMin

    if tMin >= tMax then
        Commands.bad "t-min" (string tMin) (sprintf "a number < t-max = %g" tMax)

    let n = a.GetResult(Args.FlowArgs.Points, defaultValue = 60)
    Commands.inRangeInt "points" 2 100000 n
    let times = flowTimes tMin tMax n

    let name, (extra, table) =
        match setting with
        | Commands.FsSetting ->
            Commands.refuseGiven
                "only with --setting rrs"
                [
                    a.Contains Args.FlowArgs.Width, "width"
                    a.Contains Args.FlowArgs.Context, "context"
                    a.Contains Args.FlowArgs.Dim, "dim"
                ]

            "fs", fsFlow a s depth times
        | _ -> "rrs", rrsFlow a s depth times

    Commands.format (a.TryGetResult Args.FlowArgs.Format),
    {
        Fields =
            [ "setting", Str name ]
            @ spectrumFields path nu beta s
            @ [ "depth", Commands.depthText depth ]
            @ extra
        Tables = [ table ]
    }

/// `icl ood`: Eq. 11 for the fully trained FS models Γ = LΣ⁻¹ under Σ' = e^{θS}Σe^{−θS}.
let ood (a: ParseResults<Args.OodArgs>) =
    let path = a.TryGetResult Args.OodArgs.Spectrum
    let nu = a.TryGetResult Args.OodArgs.Nu
    let beta = a.TryGetResult Args.OodArgs.Beta
    let modes = a.GetResult(Args.OodArgs.Modes, defaultValue = 32)
    Commands.inRangeInt "modes" 2 2000 modes
    let s = spectrumOf path nu beta modes
    Commands.inRangeInt "modes" 2 2000 (Spectrum.modes s)
    let depths = a.GetResult(Args.OodArgs.Depths, defaultValue = [ 1; 2; 4; 8 ])

    for l in depths do
        Commands.inRangeInt "depths" 1 100000 l

    let thetaMax = a.GetResult(Args.OodArgs.Theta_Max, defaultValue = 1.0)
    Validate.positive "theta-max" thetaMax
    Validate.finite "theta-max" thetaMax
    let n = a.GetResult(Args.OodArgs.Points, defaultValue = 41)
    Commands.inRangeInt "points" 2 10000 n
    let seed = a.GetResult(Args.OodArgs.Seed, defaultValue = 1)

    if seed < 0 then
        Commands.bad "seed" (string seed) "an integer >= 0"

    let rotateOmega = not (a.Contains Args.OodArgs.Fixed_Omega)
    let thetas = Commands.linspace 0.0 thetaMax n

    let curves = FsTheory.oodCurves s depths thetas seed rotateOmega

    a.TryGetResult Args.OodArgs.Plot
    |> Option.iter (fun stem ->
        Plots.save
            stem
            [
                Plots.linesPanel
                    "OOD loss of Γ = LΣ⁻¹ (Eq. 11)"
                    "θ"
                    "L_OOD(θ)"
                    false
                    false
                    [ for l, c in curves -> sprintf "L = %d" l, thetas, c ]
            ])

    Commands.format (a.TryGetResult Args.OodArgs.Format),
    {
        Fields =
            spectrumFields path nu beta s
            @ [
                "depths", Str(String.Join(" ", depths))
                "seed", int' seed
                "rotate_omega", Bool rotateOmega
            ]
        Tables =
            [
                {
                    Name = "curve"
                    Columns = "theta" :: [ for l in depths -> sprintf "loss_L%d" l ]
                    Rows =
                        thetas
                        |> Array.mapi (fun i th -> Num th :: [ for _, c in curves -> Num c[i] ])
                        |> List.ofArray
                }
            ]
    }

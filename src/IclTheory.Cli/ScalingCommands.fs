/// The width/context/depth commands of Result 7: `icl loss --setting rrs` (the two-point
/// deterministic equivalent of Eq. 103 at one γ).
module IclTheory.Cli.ScalingCommands

open System
open Argu
open IclTheory.Solver
open IclTheory.Cli.Output

/// Largest D accepted for the deterministic equivalent (its cost is O(nD) per kernel).
[<Literal>]
let MaxDim = 20000

/// The spectrum of D modes: a CSV of (λ_k, ω_k) (then --dim, if given, must equal its length) or the
/// power law λ_k = k^(−ν), ω_k = k^(−νβ−1)/λ_k, k = 1..D (Eq. 17/88).
let private spectrumOf (path: string option) (dim: int option) (nu: float option) (beta: float option) =
    match path, dim with
    | Some _, _ ->
        let s = StructuredCommands.spectrumOf path nu beta 1
        let d = Spectrum.modes s

        match dim with
        | Some given when given <> d ->
            Commands.bad "dim" (string given) (sprintf "the length of the spectrum file, %d (or omit --dim)" d)
        | _ -> ()

        Commands.inRangeInt "spectrum (rows)" 2 MaxDim d
        s
    | None, _ ->
        let d = defaultArg dim 200
        Commands.inRangeInt "dim" 2 MaxDim d
        StructuredCommands.spectrumOf None nu beta d

/// The width projection of Eq. 14: rank (AᵀA a rank-N coordinate projection, Eq. 107) or gaussian
/// (A with iid N(0, 1/D) entries, B = (AᵀA)²).
let parseProjection (text: string) =
    match text.Trim().ToLowerInvariant() with
    | "rank" -> TwoPoint.Rank
    | "gaussian" -> TwoPoint.Gaussian
    | _ -> Commands.bad "projection" text "rank or gaussian"

/// `icl loss --setting rrs`: ℒ(γ; N, L, P) and ∂ℒ/∂γ from one converged kernel (Eq. 103).
let loss (a: ParseResults<Args.LossArgs>) =
    Commands.refuseGiven
        "only with --setting iso"
        [
            a.Contains Args.LossArgs.Alpha, "alpha"
            a.Contains Args.LossArgs.Noise, "noise"
        ]

    let path = a.TryGetResult Args.LossArgs.Spectrum
    let nu = a.TryGetResult Args.LossArgs.Nu
    let beta = a.TryGetResult Args.LossArgs.Beta
    let s = spectrumOf path (a.TryGetResult Args.LossArgs.Dim) nu beta
    let d = Spectrum.modes s
    let width = a.GetResult(Args.LossArgs.Width, defaultValue = d)
    Commands.inRangeInt "width" 1 d width

    let context =
        Commands.parseContext (a.GetResult(Args.LossArgs.Context, defaultValue = "inf"))

    let projection =
        parseProjection (a.GetResult(Args.LossArgs.Projection, defaultValue = "rank"))

    let depth =
        match Commands.parseDepth (a.GetResult Args.LossArgs.Depth) with
        | Finite l -> l
        | Infinite -> Commands.bad "depth" "inf" "an integer ≥ 1 with --setting rrs"

    let gamma = a.GetResult Args.LossArgs.Gamma
    Validate.nonNegative "gamma" gamma

    let tolerance =
        a.GetResult(Args.LossArgs.Tolerance, defaultValue = TwoPoint.DefaultTolerance)

    Validate.inRange "tolerance" 1e-14 1e-2 tolerance

    let b: TwoPoint.Bottleneck =
        {
            AlphaN = float width / float d
            AlphaP = context |> Option.map (fun p -> float p / float d)
        }

    let kernel =
        TwoPoint.kernelForProjection projection TwoPoint.derived s b [ gamma, depth ] tolerance

    let value = TwoPoint.lossFrom kernel gamma depth
    let slope = TwoPoint.slopeFrom kernel gamma depth

    Commands.format (a.TryGetResult Args.LossArgs.Format),
    {
        Fields =
            [ "setting", Str "rrs" ]
            @ StructuredCommands.spectrumFields path nu beta s
            @ [
                "dim", int' d
                "width", int' width
                "context",
                (match context with
                 | Some p -> int' p
                 | None -> Str "inf")
                "depth", int' depth
                "gamma", Num gamma
                "projection",
                Str(
                    match projection with
                    | TwoPoint.Rank -> "rank"
                    | TwoPoint.Gaussian -> "gaussian"
                )
                "loss", Num value.Loss
                "error_estimate", Num value.ErrorEstimate
                "dloss_dgamma", Num slope.Loss
                "dloss_dgamma_error_estimate", Num slope.ErrorEstimate
                "contour_nodes", int' value.Nodes
                "spectral_edge", Num kernel.Edge
            ]
        Tables = []
    }

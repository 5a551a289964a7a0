/// `icl reproduce`, Figure 6: trained full linear attention (separate W_x, W_k, W_q, W_v, fixed
/// readout, Result 9) against the w⁵ theory of Eq. 125, at two or three depths: (a) loss and (c) γ̄
/// on ISO data; (b) loss and (d) γ̄ on RRS power-law data (ν = β = 1) against the N, P → ∞ theory.
module IclTheory.Cli.ReproduceAttention

open IclTheory.Solver
open IclTheory.Derivations
open IclTheory.Derivations.AttentionClaims
open IclTheory.Cli.Plots

/// Depths of the figure: three in the full run, two in quick mode.
let private depths (quick: bool) = if quick then [ 1; 2 ] else [ 1; 2; 4 ]

/// A registry node's experiment (`nodeExperiment` or `rrsNodeExperiment`) with ten logged flow times.
let private experiment
    (nodeExperimentAt: CheckSettings -> int -> AttentionExperiment)
    (quick: bool)
    (seed: uint64)
    (depth: int)
    =
    let settings =
        {
            Quick = quick
            Seed = seed
            Report = ignore
        }

    let e = nodeExperimentAt settings depth

    { e with
        LogSteps = [| for j in 1..10 -> j * e.Steps / 10 |]
    }

/// Dense flow times for the theory lines.
let private theoryTimes (e: AttentionExperiment) =
    Commands.linspace 0.0 (e.Lr * float e.Steps) 120

let private dots (label: string) (curve: AttentionCurvePoint[]) (pick: AttentionCurvePoint -> Estimate) =
    {
        Label = label
        X = curve |> Array.map (fun pt -> pt.Time)
        Y = curve |> Array.map (fun pt -> (pick pt).Value)
        Se = curve |> Array.map (fun pt -> defaultArg (pick pt).StdError 0.0)
    }

/// Loss panel: test loss ℒ(γ(t)) + σ² (Eq. 83 ISO, Eq. 98 RRS) against the trained loss ± SE.
let private lossPanel (title: string) (runs: (AttentionExperiment * AttentionCurvePoint[]) list) =
    {
        Title = title
        XLabel = "flow time t = η·steps"
        YLabel = "test loss"
        LogX = false
        LogY = true
        Lines =
            runs
            |> List.map (fun (e, _) ->
                let ts = theoryTimes e
                let lossOf = landscapeLoss e

                {
                    Label = sprintf "w⁵ theory, L=%d" e.Depth
                    X = ts
                    Y = theoryFlow e ts |> Array.map (fun pt -> lossOf pt.Gamma + e.Sigma2)
                    Dashed = false
                })
        Dots =
            runs
            |> List.map (fun (e, c) -> dots (sprintf "trained, L=%d" e.Depth) c (fun pt -> pt.Loss))
    }

/// The RRS flow on the finite-P two-point landscape (Eq. 103), dashed; ISO's theory is already at finite α.
let private finiteContextLines (e: AttentionExperiment) (ts: float[]) =
    match e.Data with
    | Isotropic -> []
    | RrsPowerLaw _ ->
        [
            {
                Label = sprintf "w⁵ flow at P = %d (two-point, Eq. 103), L=%d" ((taskOf e).Context) e.Depth
                X = ts
                Y = finiteContextFlow e ts |> Array.map (fun pt -> pt.Gamma)
                Dashed = true
            }
        ]

/// γ̄ panel: trained γ̄ = tr Γ_eff/D against γ(t) of Eq. 125 and 2w̄⁵ from the measured scales (Eq. 126).
let private gammaPanel (title: string) (runs: (AttentionExperiment * AttentionCurvePoint[]) list) =
    {
        Title = title
        XLabel = "flow time t = η·steps"
        YLabel = "γ̄ = tr Γ/D"
        LogX = false
        LogY = false
        Lines =
            runs
            |> List.collect (fun (e, c) ->
                let ts = theoryTimes e

                [
                    {
                        Label = sprintf "γ(t) = w_v w_k w_q w_x², L=%d" e.Depth
                        X = ts
                        Y = theoryFlow e ts |> Array.map (fun pt -> pt.Gamma)
                        Dashed = false
                    }
                    {
                        Label = sprintf "2w̄⁵ from trained scales, L=%d" e.Depth
                        X = c |> Array.map (fun pt -> pt.Time)
                        Y = c |> Array.map (fun pt -> 2.0 * pown pt.W.Value 5)
                        Dashed = true
                    }
                ]
                @ finiteContextLines e ts)
        Dots =
            runs
            |> List.map (fun (e, c) -> dots (sprintf "trained γ̄, L=%d" e.Depth) c (fun pt -> pt.GammaBar))
    }

/// Every depth of one node's experiment, trained over several seeds.
let private trainedDepths nodeExperimentAt (quick: bool) (seed: uint64) =
    depths quick
    |> List.map (fun depth ->
        let e = experiment nodeExperimentAt quick seed depth
        e, trainedVsTheory ignore e)

/// Figure 6: the registry nodes' settings at L = 1, 2 (quick, D = 8) or L = 1, 2, 4 (D = 16),
/// each depth trained over several seeds. (a), (c): ISO, α = 2, σ = 0.5, t ≤ 2.5 (`result9-sim`);
/// (b), (d): RRS power law ν = β = 1 on D modes, P = 64, σ = 0.6, t ≤ 12 (quick) or 24
/// (`result9-sim-rrs`), theory at N, P → ∞ with the finite-P two-point flow dashed in (d).
let figure6 (quick: bool) (seed: uint64) : Panel list =
    let iso = trainedDepths nodeExperiment quick seed
    let rrs = trainedDepths rrsNodeExperiment quick seed

    [
        lossPanel "(a) ISO covariates: test loss" iso
        lossPanel "(b) power-law covariates (RRS, ν = β = 1): test loss" rrs
        gammaPanel "(c) ISO: γ̄(t), trained vs w⁵ theory" iso
        gammaPanel "(d) power-law RRS: γ̄(t), trained vs w⁵ theory (P → ∞)" rrs
    ]

/// `icl reproduce`, Figure 6 (a)–(b): trained full linear attention (separate W_x, W_k, W_q, W_v,
/// fixed readout, Result 9) against the w⁵ theory of Eq. 125 on ISO data, at two or three depths.
module IclTheory.Cli.ReproduceAttention

open IclTheory.Solver
open IclTheory.Derivations
open IclTheory.Derivations.AttentionClaims
open IclTheory.Cli.Plots

/// Depths of the figure: three in the full run, two in quick mode.
let private depths (quick: bool) = if quick then [ 1; 2 ] else [ 1; 2; 4 ]

/// The registry node's experiment with ten logged flow times.
let private experiment (quick: bool) (seed: uint64) (depth: int) =
    let settings =
        {
            Quick = quick
            Seed = seed
            Report = ignore
        }

    let e = nodeExperiment settings depth

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

/// Panel (a): test loss ℒ(γ(t)) + σ² (Eq. 83) against the trained loss ± SE.
let private lossPanel (runs: (AttentionExperiment * AttentionCurvePoint[]) list) =
    {
        Title = "(a) full attention: test loss vs flow time"
        XLabel = "flow time t = η·steps"
        YLabel = "test loss"
        LogX = false
        LogY = true
        Lines =
            runs
            |> List.map (fun (e, _) ->
                let ts = theoryTimes e
                let p = isoParams e

                {
                    Label = sprintf "w⁵ theory, L=%d" e.Depth
                    X = ts
                    Y = theoryFlow e ts |> Array.map (fun pt -> IsoLandscape.loss p pt.Gamma + e.Sigma2)
                    Dashed = false
                })
        Dots =
            runs
            |> List.map (fun (e, c) -> dots (sprintf "trained, L=%d" e.Depth) c (fun pt -> pt.Loss))
    }

/// Panel (b): trained γ̄ = tr Γ_eff/D against γ(t) of Eq. 125 and 2w̄⁵ from the measured scales (Eq. 126).
let private gammaPanel (runs: (AttentionExperiment * AttentionCurvePoint[]) list) =
    {
        Title = "(b) γ̄(t): trained vs w⁵ theory"
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
                ])
        Dots =
            runs
            |> List.map (fun (e, c) -> dots (sprintf "trained γ̄, L=%d" e.Depth) c (fun pt -> pt.GammaBar))
    }

/// Figure 6 (a)–(b): the registry node's setting (ISO, α = 2, σ = 0.5, fixed readout) at L = 1, 2
/// (quick, D = 8) or L = 1, 2, 4 (D = 16), each depth trained over several seeds.
let figure6 (quick: bool) (seed: uint64) : Panel list =
    let runs =
        depths quick
        |> List.map (fun depth ->
            let e = experiment quick seed depth
            e, trainedVsTheory ignore e)

    [ lossPanel runs; gammaPanel runs ]

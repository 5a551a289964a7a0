/// `icl reproduce`, Figure 5 (Result 8): loss against compute C = t·N²·L (P → ∞) from the
/// finite-(N, L) engine when only width grows (a), only depth grows (b), or both grow with
/// L ∝ N^ν (c), with the depth bottleneck of Eq. 98–100 and the width bottleneck of Eq. 113 dashed.
module IclTheory.Cli.ReproduceScaling

open IclTheory.Solver
open IclTheory.Cli.Plots

/// Sizes of Figure 5: D modes, the widths of (a) and (c), the depths of (b), and the fixed depth
/// of (a) and width of (b).
type private Figure5Scale =
    {
        Dim: int
        Widths: int list
        Depths: int list
        FixedDepth: int
        FixedWidth: int
    }

let private scaleOf (quick: bool) =
    let d = if quick then 500 else 2000

    {
        Dim = d
        Widths = [ 32; 16; 8; 4 ] |> List.map (fun q -> d / q)
        Depths = [ 1; 2; 4; 8; 16 ]
        FixedDepth = 4
        FixedWidth = d / 16
    }

/// One curve ℒ against C = t·N²·L, dropping t = 0.
let private againstCompute (label: string) (c: ScalingLaw.ScalingCurve) : Line =
    let pts = c.Flow |> Array.filter (fun p -> p.T > 0.0)
    let cost = float c.Shape.Width * float c.Shape.Width * float c.Shape.Depth

    {
        Label = label
        X = pts |> Array.map (fun p -> p.T * cost)
        Y = pts |> Array.map (fun p -> p.Loss)
        Dashed = false
    }

/// A horizontal asymptote across the compute range of the panel's curves: dashed for a printed
/// formula, solid for the engine's own limit.
let private level (dashed: bool) (label: string) (lines: Line list) (value: float) : Line =
    let xs = lines |> List.collect (fun l -> List.ofArray l.X)
    horizontal label dashed (List.min xs) (List.max xs) value

let private asymptote = level true

let private computePanel (title: string) (lines: Line list) =
    {
        Title = title
        XLabel = "compute C = t·N²·L"
        YLabel = "loss"
        LogX = true
        LogY = true
        Lines = lines
        Dots = []
    }

let private shape (n: int) (l: int) : ScalingLaw.Shape =
    { Width = n; Depth = l; Context = None }

/// Figure 5 (ν = β = 1, P → ∞): (a) width-only at L = 4 with the depth bottleneck ℒ*(L) of Eq. 98
/// dashed; (b) depth-only at N = D/16 with the width bottleneck of Eq. 113 dashed and the engine's exact
/// t, L → ∞ limit (TwoPoint.widthLimit) solid; (c) joint
/// scaling L = N/N₀ (L ∝ N^ν). Quick: D = 500; full: D = 2000.
let figure5 (quick: bool) =
    let sc = scaleOf quick
    let s = Spectrum.powerLaw 1.0 1.0 sc.Dim
    let d = float sc.Dim
    let ts = PowerLawFit.logSpace (d / 100.0) (1e8 * d) (if quick then 41 else 81)

    let run shapes =
        ScalingLaw.curves s shapes ts 1e-8 (fun _ _ -> ())

    let widthOnly =
        run (sc.Widths |> List.map (fun n -> shape n sc.FixedDepth))
        |> List.map (fun c -> againstCompute (sprintf "N = %d" c.Shape.Width) c)

    let a =
        computePanel
            (sprintf "(a) width only, L = %d, D = %d" sc.FixedDepth sc.Dim)
            (widthOnly
             @ [
                 asymptote
                     (sprintf "depth bottleneck (Eq. 98), L = %d" sc.FixedDepth)
                     widthOnly
                     (ScalingLaw.depthBottleneck s sc.FixedDepth)
             ])

    let depthOnly =
        run (sc.Depths |> List.map (fun l -> shape sc.FixedWidth l))
        |> List.map (fun c -> againstCompute (sprintf "L = %d" c.Shape.Depth) c)

    let b =
        computePanel
            (sprintf "(b) depth only, N = %d" sc.FixedWidth)
            (depthOnly
             @ [
                 asymptote
                     (sprintf "width bottleneck as printed (Eq. 113), N = %d" sc.FixedWidth)
                     depthOnly
                     (ScalingLaw.widthBottleneck s sc.FixedWidth)
                 level
                     false
                     (sprintf "width bottleneck, exact limit κ tr ΩΛ(Λ+κ)⁻¹, N = %d" sc.FixedWidth)
                     depthOnly
                     (TwoPoint.widthLimit s (float sc.FixedWidth / d))
             ])

    let n0 = List.min sc.Widths

    let joint =
        run (ScalingLaw.jointShapes 1.0 n0 1 sc.Widths None)
        |> List.map (fun c -> againstCompute (sprintf "N = %d, L = %d" c.Shape.Width c.Shape.Depth) c)

    let c = computePanel "(c) width and depth together, L ∝ N^ν" joint
    [ a; b; c ]

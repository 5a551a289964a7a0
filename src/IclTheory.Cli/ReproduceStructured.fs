/// `icl reproduce`, structured covariances: Figures 3 (FS), 4 (RRS at N, P → ∞), 6 (full linear
/// attention) and 8 (untied layers): theory curves from the engine, trained models as dots.
module IclTheory.Cli.ReproduceStructured

open System
open IclTheory.Solver
open IclTheory.Cli.Plots

let private depthName (d: Depth) =
    match d with
    | Finite l -> sprintf "L = %d" l
    | Infinite -> "L = ∞"

/// Log-spaced times from 10^a to 10^b, n points.
let private times (a: float) (b: float) (n: int) =
    Array.init n (fun i -> 10.0 ** (a + (b - a) * float i / float (n - 1)))

/// Figure 3b: FS loss ℒ(t) of Eq. 84 along Eq. 10 for several depths (power-law spectrum), with
/// the L → ∞ curve dashed; Figure 3c: Eq. 11's OOD loss against the rotation angle θ.
let figure3Theory (modes: int) =
    let s = Spectrum.powerLaw 1.0 1.0 modes
    let ts = times -1.0 7.0 161

    let curve (d: Depth) =
        FsTheory.curve s FsTheory.Eq10 d 1 ts |> Array.map (fun p -> p.Loss)

    let b =
        panel
            (sprintf "(b) FS loss, ν = β = 1, M = %d" modes)
            "t"
            "loss L(t)"
            true
            true
            ([
                for l in [ 1; 2; 4; 8 ] -> line (depthName (Finite l)) false ts (curve (Finite l))
             ]
             @ [ line "L = ∞" true ts (curve Infinite) ])
            []

    let ood = Spectrum.powerLaw 1.0 1.0 32
    let thetas = Array.init 41 (fun i -> 0.025 * float i)

    let c =
        panel
            "(c) OOD loss of Γ = LΣ⁻¹, D = 32"
            "θ"
            "L_OOD(θ) (Eq. 11)"
            false
            true
            [
                for l, curve in FsTheory.oodCurves ood [ 1; 2; 4; 8 ] thetas 7 true ->
                    line (depthName (Finite l)) false (Array.tail thetas) (Array.tail curve)
            ]
            []

    b, c

/// Figure 4 at N, P → ∞: (a) RRS loss at L = ∞ for several β with the t^(−β/(2+β)) guides dashed;
/// (b) the landscape ℒ(γ) of Eq. 98 across depths (minima near γ ≈ L); (c) the flow at finite
/// depths, saturating at the depth-limited optimum.
let figure4Theory (modes: int) =
    let ts = times -1.0 8.0 181

    let a =
        panel
            (sprintf "(a) RRS, L = ∞, ν = 1, M = %d" modes)
            "t"
            "loss"
            true
            true
            [
                for beta in [ 0.5; 1.0; 2.0 ] do
                    let s = Spectrum.powerLaw 1.0 beta modes
                    let flow = RrsTheory.flow s Infinite ts
                    let losses = flow |> Array.map (fun p -> p.Loss)
                    yield line (sprintf "β = %g" beta) false ts losses
                    let e = -beta / (2.0 + beta)
                    let anchor = losses[90] / ts[90] ** e

                    yield
                        line (sprintf "t^(−β/(2+β)), β = %g" beta) true ts (ts |> Array.map (fun t -> anchor * t ** e))
            ]
            []

    let s = Spectrum.powerLaw 1.0 1.0 modes

    let b =
        panel
            "(b) landscape: loss against γ (Eq. 98), ν = β = 1"
            "γ / L"
            "loss"
            false
            true
            [
                for l in [ 1; 2; 4; 8; 16 ] ->
                    let gs = Array.init 121 (fun i -> 0.0125 + 0.0125 * float i)

                    line
                        (depthName (Finite l))
                        false
                        gs
                        (gs |> Array.map (fun g -> RrsTheory.loss s (Finite l) (g * float l)))
            ]
            []

    let c =
        panel
            "(c) RRS flow at finite depth, ν = β = 1"
            "t"
            "loss"
            true
            true
            ([
                for l in [ 1; 4; 16; 64 ] ->
                    line (depthName (Finite l)) false ts (RrsTheory.flow s (Finite l) ts |> Array.map (fun p -> p.Loss))
             ]
             @ [
                 line "L = ∞" true ts (RrsTheory.flow s Infinite ts |> Array.map (fun p -> p.Loss))
             ])
            []

    a, b, c

/// The randomly-rotated structured (RRS) claims at N, P → ∞ (Section 3.3, Result 6, Appendix E,
/// F.1–F.2, Section 5.1 / Appendix G.1, Result 9 / Appendix G.2): printed formulas against the
/// engine (IclTheory.Solver.RrsTheory).
module IclTheory.Derivations.RrsClaims

open System
open IclTheory.Solver

/// Relative tolerance for the "≈" of Eq. 99, fixed before looking: a quarter of the way from
/// L/λ₁ to the stability edge 2L/λ₁ of Appendix F.2.
let eq99Tolerance = 0.25

/// Eq. 99: the depth-limited optimum sits near γ* ≈ L/λ₁ (Figure 4b: minima at γ ≈ L, λ₁ = 1).
let depthOptimum: Claim =
    {
        Id = "eq99"
        Title = "RRS depth-limited optimum γ* ≈ L/λ₁"
        Printed = "we need γ < 2L/λ₁ and approximate the optimal value as γ* ≈ L/λ₁ (Figure 4b: minima at γ ≈ L)"
        Source = "Appendix F.2, Eq. 99; Figure 4b"
        Assumptions =
            [
                "RRS data, t, N, P → ∞"
                "ν = 1, β = 1, 10⁴ modes (λ₁ = 1)"
                "ℒ(γ) = (1/M)Σ_k λ_kω_k(1 − γλ_k/L)^{2L} (Eq. 98)"
            ]
        DependsOn = []
        Check =
            fun _ ->
                let s = Spectrum.powerLaw 1.0 1.0 10_000

                let rows =
                    [ 1; 4; 16; 64; 256 ]
                    |> List.map (fun l ->
                        let o = RrsTheory.depthOptimum s l

                        Compare.printedVsTheory
                            (sprintf "γ* at L = %d" l)
                            (float l / s.Lambda[0])
                            o.GammaStar
                            eq99Tolerance
                            "the printed value is an approximation; a quarter of the way to the stability edge 2L/λ₁")

                Compare.outcome rows "the engine minimizes Eq. 98 numerically at each depth"
    }

/// Eq. 13 against gradient flow on the reduced landscape of Eq. 94 (normalized trace).
let isotropicFlow: Claim =
    {
        Id = "result6-rate"
        Title = "RRS isotropic flow of γ"
        Printed = "dγ/dt = tr Λ²Ω(1 − L⁻¹γΛ)^{2L−1}, gradient flow on ℒ(γ) = tr Ω(I − γL⁻¹Σ̂)^L Λ(I − γL⁻¹Σ̂)^L"
        Source = "Result 6, Eq. 13; Appendix E, Eq. 94"
        Assumptions =
            [
                "RRS data, N, P → ∞ (Σ̂ → Λ)"
                "tr the normalized trace; time of Eq. 62's SGD (dΓ/dt = −(D/2)∂ℒ/∂Γ, so dγ/dt = −½ dℒ/dγ)"
            ]
        DependsOn = []
        Check =
            fun _ ->
                let s = Spectrum.powerLaw 1.0 1.0 1000

                let rows =
                    [
                        for depth in [ Finite 1; Finite 4; Infinite ] do
                            for gamma in [ 0.0; 0.5; 3.0 ] do
                                let h = 1e-4 * max 1.0 gamma
                                let f = RrsTheory.loss s depth

                                let fd =
                                    if gamma = 0.0 then
                                        -0.5 * (-3.0 * f 0.0 + 4.0 * f h - f (2.0 * h)) / (2.0 * h)
                                    else
                                        -0.5 * (f (gamma + h) - f (gamma - h)) / (2.0 * h)

                                Compare.printedVsTheory
                                    (sprintf
                                        "dγ/dt at γ = %g, L = %s"
                                        gamma
                                        (if depth = Infinite then "∞" else string depth))
                                    (RrsTheory.rate s depth gamma)
                                    fd
                                    1e-6
                                    "second-order finite differences of Eq. 94, h = 10⁻⁴ max(1, γ): truncation ~h² ≈ 1e-8 relative"
                    ]

                Compare.outcome rows "Eq. 13's right-hand side equals −½ dℒ/dγ of Eq. 94 with the normalized trace"
    }

/// Section 5.1 / Appendix G.1: untied layers with η = η₀L keep balance and follow the recurrent flow.
let untiedBalance: Claim =
    {
        Id = "sec5.1-untied"
        Title = "untied Γ^ℓ stay balanced and match the recurrent model"
        Printed =
            "When each of the weights are optimized separately with a learning rate upscaled by depth η = η₀L, the dynamics are equivalent to the recurrent model; gradient flow maintains balance γ^ℓ(t) = γ^k(t) from a balanced start"
        Source = "Section 5.1, Eq. 19; Appendix G.1, Eqs. 117–118; Figure 8"
        Assumptions = [ "RRS data, N, P → ∞, σ² = 0"; "ν = 1, β = 1, 1000 modes" ]
        DependsOn = [ "result6-rate" ]
        Check =
            fun _ ->
                let s = Spectrum.powerLaw 1.0 1.0 1000
                let times = [| 0.0; 1.0; 10.0; 100.0; 1000.0 |]

                let rows =
                    [ 2; 4; 8 ]
                    |> List.collect (fun l ->
                        let recurrent = RrsTheory.flow s (Finite l) times
                        let untied = RrsTheory.untiedFlow s (Array.zeroCreate l) 0.0 1.0 times

                        [
                            for i in 1 .. times.Length - 1 ->
                                let layers = untied[i].Gammas
                                let spread = Array.max layers - Array.min layers

                                let row =
                                    Compare.printedVsTheory
                                        (sprintf "γ^ℓ(t=%g) at L = %d (printed: the recurrent γ(t))" times[i] l)
                                        recurrent[i].Gamma
                                        (Array.average layers)
                                        1e-6
                                        "two integrators (quadrature of Eq. 13, adaptive ODE of the L-variable flow)"

                                if spread <= 1e-9 * abs recurrent[i].Gamma then
                                    row
                                else
                                    { row with
                                        Verdict = Disagrees
                                        Note = sprintf "layers unbalanced: spread %s" (Compare.fmt spread)
                                    }
                        ])

                Compare.outcome rows "the L-variable flow dγ^ℓ/dt = −(L/2)∂ℒ/∂γ^ℓ of Eq. 117 from γ^ℓ(0) = 0"
    }

/// Result 9's printed one-dimensional ODE (Eq. 21) against the balanced reduction of Eq. 125.
let attentionRate: Claim =
    {
        Id = "result9-rate"
        Title = "full linear attention: the w⁵ reduction"
        Printed = "dw/dt = w(t)⁴ tr Λ²Ω(I − w(t)⁵Λ)^{2L−1}, i.e. the reduced-Γ flow under γ → w⁵"
        Source = "Result 9, Eq. 21; Appendix G.2, Eqs. 125–126"
        Assumptions =
            [
                "RRS data, N, P → ∞"
                "w_y = w_o fixed with |w_y| = 1; ½|W_x|² = |W_k|² = |W_q|² = |W_v|² = σ² at t = 0"
                "ν = 1, β = 1, 1000 modes; scalars follow dw_i/dt = −½ ∂ℒ/∂w_i (Eq. 62's time)"
            ]
        DependsOn = [ "result6-rate" ]
        Check =
            fun _ ->
                let s = Spectrum.powerLaw 1.0 1.0 1000

                let rows =
                    [
                        for l in [ 1; 4 ] do
                            for w in [ 0.3; 0.8 ] do
                                let balanced: RrsTheory.AttentionScalars =
                                    {
                                        Wo = 1.0
                                        Wy = 1.0
                                        Wv = w
                                        Wk = w
                                        Wq = w
                                        Wx = sqrt 2.0 * w
                                    }

                                let gradient = RrsTheory.attentionGradient s (Finite l) balanced
                                let engineRate = -0.5 * gradient.Wk

                                Compare.printedVsTheory
                                    (sprintf "dw/dt at w = %g, L = %d" w l)
                                    (RrsTheory.printedResult9Rate s l w)
                                    engineRate
                                    1e-6
                                    "the engine differentiates Eq. 124 at the balanced point w_x = √2w"
                    ]

                Compare.outcome
                    rows
                    "with ½|W_x|² = |W_k|², the balanced product is γ = w_v w_k w_q w_x² = 2w⁵ and dw/dt = 2w⁴ tr Λ²Ω(1 − 2w⁵Λ/L)^{2L−1}; Eq. 21 prints w⁵ and drops the L⁻¹ that Eq. 126 keeps"
    }

/// The RRS claims, in report order.
let all = [ depthOptimum; isotropicFlow; untiedBalance; attentionRate ]

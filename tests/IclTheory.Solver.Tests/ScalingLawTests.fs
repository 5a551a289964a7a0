module IclTheory.Solver.Tests.ScalingLawTests

open System
open Xunit
open IclTheory.Solver
open IclTheory.Solver.ScalingLaw

let private tr (xs: float[]) = Array.average xs

let private relClose (tol: float) (expected: float) (actual: float) =
    let err = abs (actual - expected) / abs expected

    Assert.True(err <= tol, sprintf "expected %.15g, got %.15g (relative error %.3g > %.3g)" expected actual err tol)

let private near (tol: float) (expected: float) (actual: float) (what: string) =
    Assert.True(abs (actual - expected) <= tol, sprintf "%s: expected %.6g ± %.3g, got %.6g" what expected tol actual)

/// Standard normal draws by Box–Muller from a seeded Random.
let private normal (rng: Random) =
    let u1 = 1.0 - rng.NextDouble()
    let u2 = rng.NextDouble()
    sqrt (-2.0 * log u1) * cos (2.0 * Math.PI * u2)

/// A synthetic Eq. 18 law ℒ = c_t t^(−a_t) + c_N N^(−a_N) + c_L L^(−a_L).
let private synthetic =
    {
        Names = [| "t"; "N"; "L" |]
        Coefficients = [| 2.0; 1.5; 0.8 |]
        Exponents = [| 1.0 / 3.0; 1.0; 0.7 |]
    }

/// Observations of the synthetic law on a (t, N, L) grid with multiplicative log-normal noise σ
/// (and t = ∞ points), optionally every 20th point multiplied by 3 (outliers).
let private syntheticObservations (sigma: float) (outliers: bool) =
    let rng = Random(11)

    [|
        for t in Array.append (PowerLawFit.logSpace 1e2 1e8 7) [| infinity |] do
            for n in PowerLawFit.logSpace 4.0 512.0 5 do
                for l in PowerLawFit.logSpace 1.0 64.0 4 -> [| t; n; l |]
    |]
    |> Array.mapi (fun j r ->
        let clean = lawValue synthetic r
        let noisy = clean * exp (sigma * normal rng)

        {
            Resources = r
            Loss = if outliers && j % 20 = 7 then 3.0 * noisy else noisy
        })

/// The fit recovers the exponents of a known Eq. 18 law from noisy data, and each bootstrap
/// interval (200 replicates, 95%) covers the true exponent.
[<Fact>]
let ``fit recovers known exponents and its intervals cover them`` () =
    let obs = syntheticObservations 0.01 false
    let fit = fitWith defaultFitOptions synthetic.Names obs (fun _ _ -> ())

    for e, truth in Array.zip fit.Estimates synthetic.Exponents do
        near 0.03 truth e.Exponent e.Name
        Assert.True(e.Low <= truth && truth <= e.High, sprintf "%s: [%g, %g] misses %g" e.Name e.Low e.High truth)
        Assert.True(e.High - e.Low < 0.1, sprintf "%s: interval [%g, %g] too wide" e.Name e.Low e.High)

    Assert.True(fit.RmsLogResidual < 0.015, sprintf "rms log residual %g" fit.RmsLogResidual)

/// Huber loss: 5% of the points tripled barely move the exponents (least squares would).
[<Fact>]
let ``fit is robust to outliers`` () =
    let obs = syntheticObservations 0.0 true

    let fit =
        fitWith
            { defaultFitOptions with
                Replicates = 20
            }
            synthetic.Names
            obs
            (fun _ _ -> ())

    for e, truth in Array.zip fit.Estimates synthetic.Exponents do
        near 0.01 truth e.Exponent e.Name

/// Too few points for the 2m parameters, or a non-positive loss, are refused by name.
[<Fact>]
let ``fit refuses bad observations`` () =
    let obs = syntheticObservations 0.0 false
    let few = obs[0..4]

    let e =
        Assert.Throws<InvalidParameterException>(fun () -> fit synthetic.Names few |> ignore)

    Assert.Equal("observations", e.Parameter)

    let bad = Array.copy obs
    bad[3] <- { bad[3] with Loss = 0.0 }

    let e2 =
        Assert.Throws<InvalidParameterException>(fun () -> fit synthetic.Names bad |> ignore)

    Assert.Equal("observations[3].Loss", e2.Parameter)

/// N = D, P → ∞: the final loss is the depth optimum of Eq. 98 (RrsTheory.depthOptimum, Newton
/// on the closed-form landscape). γ* is held to 1e-5 only: the search stops once ℒ cannot move
/// by more than 1e-13·ℒ(0), and ℒ is flat at γ*.
[<Theory>]
[<InlineData(1)>]
[<InlineData(4)>]
[<InlineData(16)>]
let ``final loss without bottleneck is the depth optimum of Eq. 98`` (depth: int) =
    let s = Spectrum.powerLaw 1.0 1.0 300
    let final = finalLoss s { AlphaN = 1.0; AlphaP = None } depth
    let expected = RrsTheory.depthOptimum s depth
    relClose 1e-5 expected.GammaStar final.GammaStar
    relClose 1e-9 expected.LossStar final.Loss

/// L = 1: ℒ = a − 2γb + γ²c is quadratic (theory/two-point.md §6: b = α_N trΩΛ²,
/// c = α_N²(trΩΛ³ + trΩΛ trΛ²/α_P) + α_N(1 − α_N) trΛ (trΩΛ² + trΩΛ trΛ/α_P)), so γ* = b/c and
/// ℒ* = a − b²/c, at finite width and context.
[<Fact>]
let ``final loss at depth one is the vertex of the quadratic landscape`` () =
    let s = Spectrum.powerLaw 1.0 1.0 200
    let alphaN, alphaP = 0.3, 1.5
    let m f = Array.map2 f s.Lambda s.Omega |> tr

    let wl, wl2, wl3 =
        m (fun l w -> w * l), m (fun l w -> w * l * l), m (fun l w -> w * l * l * l)

    let tl, tl2 = tr s.Lambda, tr (s.Lambda |> Array.map (fun l -> l * l))
    let b = alphaN * wl2

    let c =
        alphaN * alphaN * (wl3 + wl * tl2 / alphaP)
        + alphaN * (1.0 - alphaN) * tl * (wl2 + wl * tl / alphaP)

    let final =
        finalLoss
            s
            {
                AlphaN = alphaN
                AlphaP = Some alphaP
            }
            1

    relClose 1e-6 (b / c) final.GammaStar
    relClose 1e-6 (wl - b * b / c) final.Loss

/// The final loss decreases with width at fixed depth and with depth at fixed width.
[<Fact>]
let ``final loss decreases in width and in depth`` () =
    let s = Spectrum.powerLaw 1.0 1.0 200
    let widths = [ 12; 25; 50; 100 ]
    let depths = [ 1; 2; 4; 8 ]

    let shapes =
        [
            for n in widths do
                for l in depths -> { Width = n; Depth = l; Context = None }
        ]

    let result = curves s shapes [| 1e3 |] 1e-8 (fun _ _ -> ())

    let at n l =
        (result |> List.find (fun c -> c.Shape.Width = n && c.Shape.Depth = l)).Final.Loss

    for l in depths do
        for n1, n2 in List.pairwise widths do
            Assert.True(
                at n2 l < at n1 l,
                sprintf "L = %d: ℒ(N = %d) = %g ≥ ℒ(N = %d) = %g" l n2 (at n2 l) n1 (at n1 l)
            )

    for n in widths do
        for l1, l2 in List.pairwise depths do
            Assert.True(
                at n l2 < at n l1,
                sprintf "N = %d: ℒ(L = %d) = %g ≥ ℒ(L = %d) = %g" n l2 (at n l2) l1 (at n l1)
            )

/// The saturation time from the quadrature t_s = ∫dγ/r agrees with the ODE flow: at t_s the
/// integrated γ(t) has reached γ* to 1e-3 relative, and the curve reports ℒ* beyond t_s.
[<Fact>]
let ``saturation time agrees with the integrated flow`` () =
    let s = Spectrum.powerLaw 1.0 1.0 200
    let b: TwoPoint.Bottleneck = { AlphaN = 0.25; AlphaP = None }
    let depth = 4
    let k = kernelForDepths s b [ depth ] 1e-8
    let final = finalLossOn k depth
    let ts = saturationTime k depth final.GammaStar
    let atTs = TwoPoint.flowOn k depth [| 0.5 * ts; ts |]
    relClose 1e-3 final.GammaStar atTs[1].Gamma
    Assert.True(atTs[0].Gamma < atTs[1].Gamma)
    let curve = lossCurveOn k depth final [| 0.5 * ts; 2.0 * ts; infinity |]
    relClose 1e-12 atTs[0].Loss curve[0].Loss
    Assert.Equal(final.Loss, curve[1].Loss)
    Assert.Equal(final.Loss, curve[2].Loss)

/// On a width-limited landscape (D = 2000, N = 31, L = 64) ℒ is flat near γ*, and the slope's
/// quadrature noise there may be positive below γ*: the saturation time stops where the slope is
/// still resolved and negative, the flow up to t_s reaches γ* within the saturation gap, and the
/// curve ends at ℒ*. (This shape made `icl scaling-law` fail at its default D = 2000.)
[<Fact>]
let ``saturation time on a flat width-limited landscape`` () =
    let s = Spectrum.powerLaw 1.0 1.0 2000

    let b: TwoPoint.Bottleneck =
        {
            AlphaN = 31.0 / 2000.0
            AlphaP = None
        }

    let depth = 64
    let k = kernelForDepths s b [ depth ] 1e-8
    let final = finalLossOn k depth
    let ts = saturationTime k depth final.GammaStar
    Assert.True(Double.IsFinite ts && ts > 0.0, sprintf "t_s = %g" ts)
    let atTs = TwoPoint.flowOn k depth [| ts |]
    relClose 1e-3 final.GammaStar atTs[0].Gamma
    relClose 1e-6 final.Loss atTs[0].Loss
    let curve = lossCurveOn k depth final [| 0.5 * ts; infinity |]
    Assert.True(curve[0].Loss > final.Loss)
    Assert.Equal(final.Loss, curve[1].Loss)

/// For the separable law ℒ = c_t t^(−a_t) + c_N N^(−a_N) + c_L L^(−a_L) at C = t·N²·L,
/// stationarity (a_t c_t t^(−a_t) = μ, a_N c_N N^(−a_N) = 2μ, a_L c_L L^(−a_L) = μ) gives
/// N^(−a_N) ∝ L^(−a_L), i.e. L* ∝ N*^(a_N/a_L); the numerical frontier recovers it.
[<Theory>]
[<InlineData(1.0, 1.0)>]
[<InlineData(1.0, 0.5)>]
[<InlineData(0.6, 1.2)>]
let ``frontier of a separable law has slope a_N over a_L`` (aN: float) (aL: float) =
    let law =
        {
            Names = [| "t"; "N"; "L" |]
            Coefficients = [| 1.0; 1.0; 1.0 |]
            Exponents = [| 1.0 / 3.0; aN; aL |]
        }

    let grid =
        lawFrontierGrid
            (fun t n l -> lawValue law [| t; n; l |])
            (PowerLawFit.logSpace 1e10 1e20 11)
            (PowerLawFit.logSpace 1.0 1e7 57)
            (PowerLawFit.logSpace 1.0 1e7 57)

    let points = frontierOf grid
    Assert.True(points |> Array.forall (fun p -> p.Interior), "every optimum should be interior")

    match frontierSlope points with
    | Some slope -> near 0.01 (aN / aL) slope "d ln L*/d ln N*"
    | None -> Assert.Fail "no frontier slope"

/// Eq. 113 with Λ = I: tr(Λ + κ)⁻¹Λ = 1/(1 + κ) = α_N gives κ = (1 − α_N)/α_N and
/// ℒ_N = κ²/(1 + κ)² tr Ω = (1 − α_N)² tr Ω; N = D gives 0.
[<Fact>]
let ``width bottleneck of Eq. 113 matches its white-spectrum closed form`` () =
    let omega = Array.init 40 (fun k -> 1.0 / float (k + 1))
    let s = Spectrum.ofArrays (Array.create 40 1.0) omega

    for n in [ 1; 10; 30 ] do
        let alphaN = float n / 40.0
        relClose 1e-10 ((1.0 - alphaN) ** 2.0 * tr omega) (widthBottleneck s n)

    Assert.Equal(0.0, widthBottleneck s 40)

    Assert.Throws<InvalidParameterException>(fun () -> widthBottleneck s 41 |> ignore)
    |> ignore

/// η = (D/N)² and η = 1 agree at N = D, and training and engine times are inverse maps.
[<Fact>]
let ``width-scaled learning rate rescales time by (D/N) squared`` () =
    for t in [ 0.0; 1.5; 1e6; infinity ] do
        Assert.Equal(t, engineTime WidthScaled 400 400.0 t)
        Assert.Equal(t, engineTime Constant 400 100.0 t)

    relClose 1e-15 16e3 (engineTime WidthScaled 400 100.0 1e3)
    relClose 1e-15 1e3 (trainingTime WidthScaled 400 100.0 (engineTime WidthScaled 400 100.0 1e3))
    let s = Spectrum.powerLaw 1.0 1.0 128
    let computes = [| 1e8; 1e9 |]

    let grid rate =
        engineFrontierGrid s rate computes [ 128 ] [ 2 ] 1e-8 (fun _ _ -> ())

    Assert.Equal((grid Constant).Loss[1, 0, 0], (grid WidthScaled).Loss[1, 0, 0])

/// A two-resource law is recovered exactly from noiseless data (the multi-start search keeps the
/// starts that converge; on the engine's final losses at D = 4000, L = 1 … 64, some do not).
[<Fact>]
let ``fit recovers a two-resource law`` () =
    let obs =
        [|
            for n in [ 10.0; 20.0; 40.0; 80.0; 160.0 ] do
                for l in [ 4.0; 8.0; 16.0; 32.0; 64.0 ] ->
                    {
                        Resources = [| n; l |]
                        Loss = 2.0 * n ** -1.0 + 0.5 * l ** -1.2
                    }
        |]

    let f =
        fitWith
            { defaultFitOptions with
                Replicates = 20
            }
            [| "N"; "L" |]
            obs
            (fun _ _ -> ())

    near 1e-3 1.0 f.Estimates[0].Exponent "a_N"
    near 1e-3 1.2 f.Estimates[1].Exponent "a_L"

[<Fact>]
let ``logLogSlope recovers an exact power law and refuses too few points or no spread`` () =
    let xs = [| 2.0; 5.0; 11.0; 40.0 |]
    let ys = xs |> Array.map (fun x -> 3.0 * x ** 0.7)

    match logLogSlope xs ys with
    | Some slope -> Assert.Equal(0.7, slope, 12)
    | None -> failwith "no slope from four distinct points"

    Assert.True((logLogSlope xs[..1] ys[..1]).IsNone)
    Assert.True((logLogSlope [| 3.0; 3.0; 3.0 |] [| 1.0; 2.0; 4.0 |]).IsNone)

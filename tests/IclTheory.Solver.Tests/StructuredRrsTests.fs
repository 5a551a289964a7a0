module IclTheory.Solver.Tests.StructuredRrsTests

open System
open Xunit
open IclTheory.Solver

let private relClose (tolerance: float) (expected: float) (actual: float) =
    Assert.True(
        abs (actual - expected) <= tolerance * abs expected,
        sprintf "expected %.17g, got %.17g" expected actual
    )

let private spectrum = Spectrum.powerLaw 1.0 1.0 200

let private odeFlow (s: Spectrum.Spectrum) (depth: Depth) (times: float[]) =
    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> [| RrsTheory.rate s depth y[0] |]
            T0 = 0.0
            Y0 = [| 0.0 |]
        }

    let options =
        { Ode.defaultOptions with
            RelTol = 1e-13
            AbsTol = 1e-16
        }

    (Ode.solve Ode.dormandPrince54 options problem times).States
    |> Array.map (fun y -> y[0])

[<Theory>]
[<InlineData(0)>]
[<InlineData(1)>]
[<InlineData(4)>]
[<InlineData(32)>]
let ``quadrature flow matches Dormand-Prince to 1e-8 over ten decades`` (depth: int) =
    let depth = if depth = 0 then Infinite else Finite depth
    // Beyond saturation (t ≫ 1/κ at finite L) the explicit reference only crawls at its stability limit.
    let tMax = if depth = Infinite then 1e8 else 1e6
    let times = PowerLawFit.logSpace 1e-2 tMax 31
    let flow = RrsTheory.flow spectrum depth times
    let reference = odeFlow spectrum depth times

    for point, expected in Array.zip flow reference do
        relClose 1e-8 expected point.Gamma
        relClose 1e-13 (RrsTheory.loss spectrum depth point.Gamma) point.Loss

[<Fact>]
let ``flow returns the caller's order, starts at rate(0) t and saturates at the depth optimum`` () =
    let flow = RrsTheory.flow spectrum (Finite 8) [| 1e9; 0.0; 1e-6 |]
    Assert.Equal(0.0, flow[1].Gamma)
    let rate0 = Spectrum.normalizedTrace spectrum (fun l o -> l * l * o)
    relClose 1e-13 rate0 (RrsTheory.rate spectrum (Finite 8) 0.0)
    // γ = F(0)t(1 + F'(0)t/2 + …): the linear term alone is within |F'(0)|t/2 ≈ 5e-9.
    relClose 1e-7 (rate0 * 1e-6) flow[2].Gamma
    relClose 1e-12 (RrsTheory.depthOptimum spectrum 8).GammaStar flow[0].Gamma

[<Fact>]
let ``a single distinct eigenvalue takes the closed form with the mean omega`` () =
    let s = Spectrum.ofArrays [| 0.5; 0.5 |] [| 1.0; 3.0 |]
    let flow = RrsTheory.flow s (Finite 3) [| 0.7; 40.0 |]

    for point in flow do
        relClose 1e-14 (FsTheory.gamma FsTheory.Eq10 (Finite 3) 0.5 2.0 point.T) point.Gamma

    Assert.Equal(6.0, (RrsTheory.depthOptimum s 3).GammaStar)

[<Fact>]
let ``rate is minus half the derivative and the derivative matches finite differences`` () =
    for depth in [ Finite 1; Finite 5; Infinite ] do
        for gamma in [ 0.3; 2.0; 7.5 ] do
            let h = 1e-5 * gamma

            let fd =
                (RrsTheory.loss spectrum depth (gamma + h)
                 - RrsTheory.loss spectrum depth (gamma - h))
                / (2.0 * h)

            let d = RrsTheory.derivative spectrum depth gamma
            relClose 1e-7 fd d
            relClose 1e-15 (-0.5 * d) (RrsTheory.rate spectrum depth gamma)

[<Fact>]
let ``depth optimum is the stationary point, above Eq. 99's L over lambda_1 and tending to 2L over lambda_1`` () =
    for depth in [ 1; 4; 64 ] do
        let opt = RrsTheory.depthOptimum spectrum depth
        let scale = RrsTheory.rate spectrum (Finite depth) 0.0
        Assert.True(abs (RrsTheory.rate spectrum (Finite depth) opt.GammaStar) < 1e-12 * scale)
        Assert.True(RrsTheory.loss spectrum (Finite depth) (opt.GammaStar * 1.001) > opt.LossStar)
        Assert.True(RrsTheory.loss spectrum (Finite depth) (opt.GammaStar * 0.999) > opt.LossStar)
        // Eq. 99 says γ* ≈ L/λ_1; the exact minimizer lies in [L/λ_1, 2L/λ_1].
        Assert.InRange(opt.GammaStar / float depth, 1.0, 2.0)

    // Measured (λ_1 = 1): γ*/L = 1.111 at L = 1, 1.86 at L = 32, 1.998 at L = 1000.
    let deep = RrsTheory.depthOptimum (Spectrum.powerLaw 1.0 1.0 100_000) 1000
    Assert.InRange(deep.GammaStar / 1000.0, 1.99, 2.0)

[<Fact>]
let ``untied gradient matches central finite differences`` () =
    let s = Spectrum.powerLaw 1.0 1.5 30
    let gammas = [| 0.4; 1.3; 0.9; 2.2 |]

    for sigma2 in [ 0.0; 0.7 ] do
        let gradient = RrsTheory.untiedGradient s gammas sigma2 2.0

        for l in 0 .. gammas.Length - 1 do
            let h = 1e-5

            let shifted (d: float) =
                gammas |> Array.mapi (fun j g -> if j = l then g + d else g)

            let fd =
                (RrsTheory.untiedLoss s (shifted h) sigma2 2.0
                 - RrsTheory.untiedLoss s (shifted -h) sigma2 2.0)
                / (2.0 * h)

            Assert.True(abs (fd - gradient[l]) < 1e-8 * (abs fd + 1e-3), sprintf "layer %d: %g vs %g" l fd gradient[l])

[<Fact>]
let ``untied loss is permutation symmetric and balanced equals the recurrent landscape`` () =
    let s = Spectrum.powerLaw 1.0 1.5 30

    relClose
        1e-14
        (RrsTheory.untiedLoss s [| 0.4; 1.3; 0.9 |] 0.5 2.0)
        (RrsTheory.untiedLoss s [| 0.9; 0.4; 1.3 |] 0.5 2.0)

    relClose 1e-13 (RrsTheory.loss s (Finite 3) 1.7) (RrsTheory.untiedLoss s [| 1.7; 1.7; 1.7 |] 0.0 1.0)
    // Balanced noise term: Σ_ℓ γλ(1 - γλ/L)^(L-ℓ)/L = 1 - (1 - γλ/L)^L, so it is (σ²/α)(1/M)Σ(1 - (1 - γλ/L)^L)².
    let noise =
        RrsTheory.untiedLoss s [| 1.7; 1.7; 1.7 |] 0.6 2.0
        - RrsTheory.loss s (Finite 3) 1.7

    relClose
        1e-12
        (0.3
         * Spectrum.normalizedTrace s (fun l _ -> (1.0 - (1.0 - 1.7 * l / 3.0) ** 3.0) ** 2.0))
        noise

[<Fact>]
let ``balanced untied flow is the recurrent flow`` () =
    let s = Spectrum.powerLaw 1.0 1.0 40
    let times = [| 0.5; 20.0; 400.0 |]
    let recurrent = RrsTheory.flow s (Finite 4) times
    let untied = RrsTheory.untiedFlow s (Array.zeroCreate 4) 0.0 1.0 times

    for r, u in Array.zip recurrent untied do
        for g in u.Gammas do
            relClose 1e-8 r.Gamma g

/// With σ² = 0, one mode and a_ℓ = 1 - γ^ℓλ/L: da_ℓ/dt = -(λ²ω/L)·... gives d(a_ℓ² - a_m²)/dt = 0
/// (the balancedness invariant of deep linear products), so an unbalanced start does NOT balance;
/// with many modes the imbalance grows early (d(γ^ℓ - γ^m)/dt ∝ +(γ^ℓ - γ^m) while all a > 0).
[<Fact>]
let ``an unbalanced untied start keeps its imbalance`` () =
    let one = Spectrum.ofArrays [| 0.8 |] [| 1.5 |]
    let start = [| 0.0; 0.3; 0.6 |]

    let a (g: float[]) =
        g |> Array.map (fun x -> 1.0 - x * 0.8 / 3.0)

    let invariant (g: float[]) =
        let v = a g in [| v[0] * v[0] - v[1] * v[1]; v[1] * v[1] - v[2] * v[2] |]

    let expected = invariant start

    for point in RrsTheory.untiedFlow one start 0.0 1.0 [| 1.0; 10.0; 100.0 |] do
        let got = invariant point.Gammas
        Assert.Equal(expected[0], got[0], 10)
        Assert.Equal(expected[1], got[1], 10)

    let spread (g: float[]) = Array.max g - Array.min g
    let s = Spectrum.powerLaw 1.0 1.0 40
    let late = RrsTheory.untiedFlow s [| 0.0; 0.5; 1.0; 1.5 |] 0.0 1.0 [| 10.0; 1e3 |]
    Assert.True(spread late[0].Gammas > 1.5, sprintf "spread %g" (spread late[0].Gammas))

let private scalars o v q k x y : RrsTheory.AttentionScalars =
    {
        Wo = o
        Wv = v
        Wq = q
        Wk = k
        Wx = x
        Wy = y
    }

[<Fact>]
let ``attention gradient matches central finite differences and unit readout is Eq. 125`` () =
    let s = Spectrum.powerLaw 1.0 1.0 25
    let w = scalars 0.9 0.8 1.1 0.7 1.2 1.05

    for depth in [ Finite 1; Finite 6; Infinite ] do
        let g = RrsTheory.attentionGradient s depth w
        let analytic = [| g.Wo; g.Wv; g.Wq; g.Wk; g.Wx; g.Wy |]

        let bump (i: int) (d: float) =
            let a = [| w.Wo; w.Wv; w.Wq; w.Wk; w.Wx; w.Wy |]
            a[i] <- a[i] + d
            scalars a[0] a[1] a[2] a[3] a[4] a[5]

        for i in 0..5 do
            let h = 1e-6

            let fd =
                (RrsTheory.attentionLoss s depth (bump i h)
                 - RrsTheory.attentionLoss s depth (bump i -h))
                / (2.0 * h)

            Assert.True(
                abs (fd - analytic[i]) < 1e-7 * (abs fd + 1e-4),
                sprintf "%A scalar %d: %g vs %g" depth i fd analytic[i]
            )

        let unit = { w with Wo = 1.0; Wy = 1.0 }
        relClose 1e-13 (RrsTheory.loss s depth (RrsTheory.attentionGamma unit)) (RrsTheory.attentionLoss s depth unit)

[<Fact>]
let ``balanced attention flow reduces to dw/dt = -w^4 L'(2w^5)`` () =
    let s = Spectrum.powerLaw 1.0 1.0 25
    let depth = Finite 4
    let sigma = 0.3
    let w0 = scalars 1.0 sigma sigma sigma (sqrt 2.0 * sigma) 1.0
    let times = [| 1.0; 30.0; 300.0 |]
    let flow = RrsTheory.attentionFlow s depth w0 true times

    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> [| -(pown y[0] 4) * RrsTheory.derivative s depth (2.0 * pown y[0] 5) |]
            T0 = 0.0
            Y0 = [| sigma |]
        }

    let options =
        { Ode.defaultOptions with
            RelTol = 1e-12
            AbsTol = 1e-15
        }

    let scalar = (Ode.solve Ode.dormandPrince54 options problem times).States

    for point, y in Array.zip flow scalar do
        relClose 1e-8 y[0] point.W.Wv
        relClose 1e-9 point.W.Wv point.W.Wk
        relClose 1e-9 point.W.Wv point.W.Wq
        Assert.Equal(0.0, point.W.Wx * point.W.Wx - 2.0 * point.W.Wv * point.W.Wv, 9)
        relClose 1e-8 (2.0 * pown y[0] 5) point.Gamma
        Assert.Equal(1.0, point.W.Wo)

    Assert.True(flow[2].Loss < flow[0].Loss)
    // The generic reparameterized flow on the same landscape is the same trajectory.
    let generic = RrsTheory.reparameterizedFlow (RrsTheory.derivative s depth) w0 times

    for a, b in Array.zip flow generic do
        relClose 1e-9 a.Gamma b.Gamma

[<Fact>]
let ``free readout moves w_o and w_y and printed Eq. 21 is evaluated as printed`` () =
    let s = Spectrum.powerLaw 1.0 1.0 10
    let w0 = scalars 0.5 0.4 0.4 0.4 (sqrt 2.0 * 0.4) 0.5
    let flow = RrsTheory.attentionFlow s (Finite 2) w0 false [| 50.0 |]
    Assert.True(flow[0].W.Wo > 0.5 && flow[0].W.Wy > 0.5)
    Assert.True(flow[0].Loss < RrsTheory.attentionLoss s (Finite 2) w0)
    let one = Spectrum.ofArrays [| 0.5 |] [| 2.0 |]
    // w⁴ λ²ω (1 - w⁵λ)^(2L-1) with w = 0.8, L = 3.
    relClose 1e-14 (0.8 ** 4.0 * 0.5 * (1.0 - 0.8 ** 5.0 * 0.5) ** 5.0) (RrsTheory.printedResult9Rate one 3 0.8)

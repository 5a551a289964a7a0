/// Result 9's trained-vs-theory experiment (ISO and RRS power law): the theory at t = 0 against the
/// balanced start's closed values, Euler's first-order convergence to the flow, a tiny training
/// run's reproducibility and its exact agreement at t = 0 with the reduced-Γ loss of Γ = 2σ⁵I on the
/// same contexts, and the RRS node's verdict in quick mode.
module IclTheory.Derivations.Tests.AttentionClaimsTests

open Xunit
open IclTheory.Solver
open IclTheory.Derivations
open IclTheory.Derivations.AttentionClaims

let private tiny: AttentionExperiment =
    {
        Dim = 4
        Alpha = 2.0
        Sigma2 = 0.25
        Depth = 2
        Sigma = 0.6
        Batch = 8
        Lr = 0.05
        Steps = 6
        Seed = 31UL
        Data = Isotropic
        Runs = 2
        EvalContexts = 32
        LogSteps = [| 3 |]
    }

[<Fact>]
let ``the theory starts at γ(0) = 2σ⁵ with test loss ℒ(2σ⁵) + σ²`` () =
    let curve = trainedVsTheory ignore tiny
    let start = curve[0]
    let gamma0 = 2.0 * pown tiny.Sigma 5
    Assert.Equal(0.0, start.Time)
    Assert.Equal(gamma0, start.TheoryGamma, 12)
    Assert.Equal(tiny.Sigma, start.TheoryW, 12)
    Assert.Equal(IsoLandscape.loss (isoParams tiny) gamma0 + tiny.Sigma2, start.TheoryLoss, 12)
    Assert.Equal(gamma0, start.EulerGamma, 12)

[<Fact>]
let ``a tiny training run reproduces the theory's start and its own numbers for the same seed`` () =
    let a = trainedVsTheory ignore tiny
    let b = trainedVsTheory ignore tiny
    Assert.Equal<int[]>([| 0; 3; 6 |], a |> Array.map (fun pt -> pt.Step))

    for pa, pb in Array.zip a b do
        Assert.Equal(pa.Loss, pb.Loss)
        Assert.Equal(pa.GammaBar, pb.GammaBar)
        Assert.Equal(pa.W, pb.W)

    // At t = 0 the aligned weights are exactly the reduced model with Γ = 2σ⁵I, evaluated on the
    // same contexts, so every run's loss equals the reference and γ̄ = 2σ⁵ with no spread.
    let start = a[0]
    Assert.Equal(2.0 * pown tiny.Sigma 5, start.GammaBar.Value, 12)
    Assert.Equal(0.0, defaultArg start.GammaBar.StdError nan, 12)
    Assert.Equal(start.FiniteDLoss.Value, start.Loss.Value, 10)
    Assert.Equal(0.0, start.LossGap.Value, 10)
    // After training the runs differ (independent seeds) and γ̄ has moved.
    Assert.True(defaultArg a[2].GammaBar.StdError 0.0 > 0.0)
    Assert.NotEqual(start.GammaBar.Value, a[2].GammaBar.Value)

[<Fact>]
let ``Euler steps of size η approach the scalar flow at first order`` () =
    let gap lr =
        let steps = int (round (2.0 / lr))
        let e = { tiny with Lr = lr; Steps = steps }
        let flow = theoryFlow e [| lr * float steps |]
        abs ((eulerGamma e [| steps |])[0] - flow[0].Gamma)

    let coarse, fine = gap 0.04, gap 0.02
    Assert.True(coarse > 1e-4, sprintf "the Euler gap %g at η = 0.04 is too small to measure an order" coarse)
    let order = log (coarse / fine) / log 2.0
    Assert.InRange(order, 0.85, 1.15)

[<Fact>]
let ``bad experiments are refused naming the parameter`` () =
    let name (e: AttentionExperiment) =
        (Assert.Throws<InvalidParameterException>(fun () -> trainedVsTheory ignore e |> ignore)).Message

    Assert.Contains("runs", name { tiny with Runs = 1 })
    Assert.Contains("sigma", name { tiny with Sigma = 0.0 })
    Assert.Contains("log-steps", name { tiny with LogSteps = [| 7 |] })

let private tinyRrs: AttentionExperiment =
    { tiny with
        Data = RrsPowerLaw(1.0, 1.0)
        Dim = 6
        Alpha = 4.0
        Sigma2 = 0.0
        Lr = 0.1
    }

/// ℒ(γ) = (1/D) Σ_k ω_kλ_k (1 − γλ_k/L)^(2L) with λ_k = 1/k, ω_kλ_k = k⁻² (ν = β = 1), written out.
let private closedRrsLoss (dim: int) (depth: int) (gamma: float) =
    (List.sum
        [
            for k in 1..dim -> pown (float k) -2 * pown (1.0 - gamma / (float k * float depth)) (2 * depth)
        ])
    / float dim

/// dγ/dt of the balanced flow: γ = 2w⁵, dw/dt = 2w⁴·(1/D)Σ_k λ_k²ω_k(1 − γλ_k/L)^(2L−1), so
/// dγ/dt = 10w⁴·dw/dt = 20w⁸·rate(γ) (Eq. 125 with Eq. 13's rate, λ_k²ω_k = k⁻³).
let private closedRrsGammaRate (dim: int) (depth: int) (sigma: float) =
    let gamma = 2.0 * pown sigma 5

    let rate =
        (List.sum
            [
                for k in 1..dim -> pown (float k) -3 * pown (1.0 - gamma / (float k * float depth)) (2 * depth - 1)
            ])
        / float dim

    20.0 * pown sigma 8 * rate

[<Fact>]
let ``the RRS theory starts at γ(0) = 2σ⁵ with the closed power-law loss and rate`` () =
    let times = [| 0.0; 1e-4 |]
    let flow = theoryFlow tinyRrs times
    let finiteP = finiteContextFlow tinyRrs times
    let gamma0 = 2.0 * pown tinyRrs.Sigma 5
    Assert.Equal(gamma0, flow[0].Gamma, 12)
    Assert.Equal(gamma0, finiteP[0].Gamma, 12)
    Assert.Equal(closedRrsLoss tinyRrs.Dim tinyRrs.Depth gamma0, landscapeLoss tinyRrs gamma0, 12)
    let rate = (flow[1].Gamma - flow[0].Gamma) / times[1]
    let expected = closedRrsGammaRate tinyRrs.Dim tinyRrs.Depth tinyRrs.Sigma
    Assert.InRange(rate / expected, 1.0 - 1e-3, 1.0 + 1e-3)

[<Fact>]
let ``at L = 1 the finite-P flow's shift is real and at least half the exact Gaussian shift`` () =
    // ℒ_P is quadratic in Σ̂ at L = 1: E Σ̂ΛΣ̂ = Λ³(1 + 1/P) + Λ tr Λ²/P for P Gaussian samples, so
    // ℒ_P'(γ) = (2/D) Σ_k ω_kλ_k[−λ_k + γ(λ_k²(1 + 1/P) + Σ_j λ_j²/P)] and dγ/dt = 20w⁸·(−½ℒ_P').
    // The node allows twice the two-point shift (Eq. 103), so that shift must be ≥ half the exact one.
    let e = { tinyRrs with Depth = 1 }
    let times = [| 0.0; 1e-4 |]

    let rateOf (flow: RrsTheory.ReparameterizedPoint[]) =
        (flow[1].Gamma - flow[0].Gamma) / times[1]

    let twoPoint = rateOf (finiteContextFlow e times)
    let infinite = rateOf (theoryFlow e times)
    let gamma0 = 2.0 * pown e.Sigma 5
    let points = float (taskOf e).Context
    let lambda = [ for k in 1 .. e.Dim -> 1.0 / float k ]
    let traceLambda2 = lambda |> List.sumBy (fun l -> l * l)

    let slope =
        (lambda
         |> List.sumBy (fun l ->
             // ω_kλ_k = λ_k² at ν = β = 1.
             2.0
             * l
             * l
             * (-l + gamma0 * (l * l * (1.0 + 1.0 / points) + traceLambda2 / points))))
        / float e.Dim

    let exact = 20.0 * pown e.Sigma 8 * (-0.5 * slope)

    Assert.True(
        exact < twoPoint && twoPoint < infinite,
        sprintf "exact %g, two-point %g, P → ∞ %g" exact twoPoint infinite
    )

    Assert.True(2.0 * (infinite - twoPoint) >= infinite - exact)

[<Fact>]
let ``a tiny RRS training run reproduces itself and the reduced model at t = 0`` () =
    let a = trainedVsTheory ignore tinyRrs
    let b = trainedVsTheory ignore tinyRrs

    for pa, pb in Array.zip a b do
        Assert.Equal(pa.Loss, pb.Loss)
        Assert.Equal(pa.GammaBar, pb.GammaBar)

    let start = a[0]
    let gamma0 = 2.0 * pown tinyRrs.Sigma 5
    Assert.Equal(gamma0, start.GammaBar.Value, 12)
    Assert.Equal(closedRrsLoss tinyRrs.Dim tinyRrs.Depth gamma0, start.TheoryLoss, 12)
    // The aligned start is the reduced model Γ = 2σ⁵I on the same rotated contexts.
    Assert.Equal(start.FiniteDLoss.Value, start.Loss.Value, 10)
    Assert.Equal(0.0, start.LossGap.Value, 10)
    Assert.True(defaultArg a[2].GammaBar.StdError 0.0 > 0.0)
    Assert.True(a[2].GammaBar.Value > gamma0)

[<Fact>]
let ``the RRS node agrees with the w⁵ theory in quick mode`` () =
    let outcome =
        result9SimulationRrs.Check
            {
                Quick = true
                Seed = 2025UL
                Report = ignore
            }

    Assert.Equal(16, outcome.Comparisons.Length)
    Assert.True((Compare.combine outcome.Comparisons = Agrees), outcome.Summary)

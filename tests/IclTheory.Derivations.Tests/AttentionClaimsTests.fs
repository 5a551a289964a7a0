/// Result 9's trained-vs-theory experiment: the theory at t = 0 against the balanced start's closed
/// values, Euler's first-order convergence to the flow, and a tiny training run's reproducibility and
/// its exact agreement at t = 0 with the reduced-Γ loss of Γ = 2σ⁵I on the same contexts.
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

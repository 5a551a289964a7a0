module IclTheory.Solver.Tests.IsoFlowTests

open System
open Xunit
open IclTheory.Solver

let private iso alpha depth sigma2 =
    {
        Alpha = alpha
        Depth = depth
        Sigma2 = sigma2
    }

let private times = [| 0.0; 0.05; 0.4; 1.5; 4.0; 12.0; 40.0 |]

let cases: obj[] seq =
    seq {
        yield [| box 1.0; box 1; box 0.5 |]
        yield [| box 2.0; box 4; box 0.0 |]
        yield [| box 0.5; box 16; box 0.3 |]
        yield [| box 2.0; box 0; box 0.0 |]
        yield [| box 4.0; box 0; box 0.1 |]
    }

let private depthOf d = if d = 0 then Infinite else Finite d

[<Theory>]
[<MemberData(nameof cases)>]
let ``quadrature and Runge-Kutta flows agree`` (alpha: float, depth: int, sigma2: float) =
    let p = iso alpha (depthOf depth) sigma2
    let q = IsoFlow.byQuadrature p IsoFlow.Eq7 times
    let r = IsoFlow.byRungeKutta p IsoFlow.Eq7 times

    for a, b in Array.zip q r do
        Assert.Equal(a.T, b.T)
        Assert.True(abs (a.Gamma - b.Gamma) <= 1e-7 * abs a.Gamma, sprintf "t=%g: %g vs %g" a.T a.Gamma b.Gamma)
        Assert.Equal(IsoLandscape.loss p a.Gamma, a.Loss, 14)

[<Fact>]
let ``L = 1 flow is (1 - e^(-ct))/c under Eq7`` () =
    let p = iso 1.5 (Finite 1) 0.4
    let c = 1.0 + 1.4 / 1.5

    for solve in [ IsoFlow.byQuadrature; IsoFlow.byRungeKutta ] do
        for point in solve p IsoFlow.Eq7 times do
            Assert.Equal((1.0 - exp (-c * point.T)) / c, point.Gamma, 10)

[<Theory>]
[<MemberData(nameof cases)>]
let ``Eq83 flow at t equals Eq7 flow at 2t`` (alpha: float, depth: int, sigma2: float) =
    let p = iso alpha (depthOf depth) sigma2
    let fast = IsoFlow.byQuadrature p IsoFlow.Eq83 times
    let slow = IsoFlow.byQuadrature p IsoFlow.Eq7 (times |> Array.map ((*) 2.0))

    for a, b in Array.zip fast slow do
        Assert.True(abs (a.Gamma - b.Gamma) <= 1e-9 * abs b.Gamma)

    Assert.Equal(2.0 * IsoFlow.rate p IsoFlow.Eq7 0.7, IsoFlow.rate p IsoFlow.Eq83 0.7, 14)

[<Theory>]
[<MemberData(nameof cases)>]
let ``flow starts at rate(0) t and ends at gamma*`` (alpha: float, depth: int, sigma2: float) =
    let p = iso alpha (depthOf depth) sigma2
    // rate(0) = -(1/2)ℒ'(0) = ∫ρλ = 1 under Eq7.
    Assert.Equal(1.0, IsoFlow.rate p IsoFlow.Eq7 0.0, 13)
    let early = IsoFlow.byQuadrature p IsoFlow.Eq7 [| 1e-6 |]
    Assert.True(abs (early[0].Gamma / 1e-6 - 1.0) < 1e-5)
    let opt = IsoLandscape.optimum p

    if Double.IsFinite opt.GammaStar then
        // relaxation rate κ = -f'(γ*) = ℒ''(γ*)/2; after 40/κ the gap is e^-40 of γ*.
        let kappa = 0.5 * IsoLandscape.secondDerivative p opt.GammaStar
        let late = IsoFlow.byQuadrature p IsoFlow.Eq7 [| 40.0 / kappa |]
        Assert.True(abs (late[0].Gamma / opt.GammaStar - 1.0) < 1e-10)
        Assert.True(abs (late[0].Loss / opt.LossStar - 1.0) < 1e-12)
    else
        // No noise at infinite depth: γ grows without bound and ℒ falls to (1 - α)₊.
        let late = IsoFlow.byQuadrature p IsoFlow.Eq7 [| 10.0; 1e3 |]
        Assert.True(late[1].Gamma > late[0].Gamma && late[1].Loss < late[0].Loss)

[<Fact>]
let ``times may come in any order and bad times are refused`` () =
    let p = iso 2.0 (Finite 3) 0.1
    let shuffled = IsoFlow.byRungeKutta p IsoFlow.Eq7 [| 3.0; 0.5; 1.0 |]
    let sorted = IsoFlow.byRungeKutta p IsoFlow.Eq7 [| 0.5; 1.0; 3.0 |]
    Assert.Equal(sorted[0].Gamma, shuffled[1].Gamma)
    Assert.Equal(sorted[2].Gamma, shuffled[0].Gamma)

    let ex =
        Assert.Throws<InvalidParameterException>(fun () -> IsoFlow.byQuadrature p IsoFlow.Eq7 [| -1.0 |] |> ignore)

    Assert.Equal("times", ex.Parameter)

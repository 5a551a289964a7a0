module IclTheory.Solver.Tests.IsoLandscapeTests

open System
open Xunit
open IclTheory.Solver

let private iso alpha depth sigma2 =
    {
        Alpha = alpha
        Depth = depth
        Sigma2 = sigma2
    }

[<Theory>]
[<InlineData(0.25, 0.0)>]
[<InlineData(1.0, 0.0)>]
[<InlineData(1.0, 0.7)>]
[<InlineData(3.0, 0.2)>]
let ``L = 1 landscape is 1 - 2 gamma + gamma^2 (1 + 1/alpha) + sigma2 gamma^2 / alpha`` (alpha: float, sigma2: float) =
    let p = iso alpha (Finite 1) sigma2

    for gamma in [ 0.0; 0.1; 0.5; 1.3; 4.0 ] do
        let closed =
            1.0 - 2.0 * gamma
            + gamma * gamma * (1.0 + 1.0 / alpha)
            + sigma2 * gamma * gamma / alpha

        Assert.Equal(closed, IsoLandscape.loss p gamma, 13)

    let c = 1.0 + (1.0 + sigma2) / alpha
    let opt = IsoLandscape.optimum p
    Assert.Equal(1.0 / c, opt.GammaStar, 14)
    Assert.Equal(1.0 - 1.0 / c, opt.LossStar, 14)

[<Fact>]
let ``Result 1 prints (1 + alpha)^-2 at L = 1, which is |Gamma* - I|^2/D, not the loss 1/(1 + alpha)`` () =
    for alpha in [ 0.5; 1.0; 4.0 ] do
        let opt = IsoLandscape.optimum (iso alpha (Finite 1) 0.0)
        Assert.Equal(1.0 / (1.0 + alpha), opt.LossStar, 14)
        Assert.Equal((1.0 + alpha) ** -2.0, (1.0 - opt.GammaStar) ** 2.0, 14)
        Assert.NotEqual(Math.Round((1.0 + alpha) ** -2.0, 10), Math.Round(opt.LossStar, 10))

[<Theory>]
[<InlineData(1, 0.0)>]
[<InlineData(3, 0.0)>]
[<InlineData(3, 0.5)>]
[<InlineData(16, 0.5)>]
[<InlineData(0, 0.0)>]
[<InlineData(0, 0.5)>]
let ``derivatives match finite differences of the loss`` (depth: int, sigma2: float) =
    let d = if depth = 0 then Infinite else Finite depth

    for alpha in [ 0.5; 1.0; 2.0 ] do
        let p = iso alpha d sigma2

        for gamma in [ 0.2; 1.0; 2.5 ] do
            let h = 1e-4 * gamma
            let f x = IsoLandscape.loss p x

            let fd1 =
                (f (gamma - 2.0 * h) - 8.0 * f (gamma - h) + 8.0 * f (gamma + h)
                 - f (gamma + 2.0 * h))
                / (12.0 * h)

            let d1 = IsoLandscape.derivative p gamma
            Assert.True(abs (d1 - fd1) < 1e-8 * (1.0 + abs d1), sprintf "%A gamma=%g: %g vs %g" p gamma d1 fd1)
            let g x = IsoLandscape.derivative p x

            let fd2 =
                (g (gamma - 2.0 * h) - 8.0 * g (gamma - h) + 8.0 * g (gamma + h)
                 - g (gamma + 2.0 * h))
                / (12.0 * h)

            let d2 = IsoLandscape.secondDerivative p gamma
            Assert.True(abs (d2 - fd2) < 1e-7 * (1.0 + abs d2), sprintf "%A gamma=%g: %g vs %g" p gamma d2 fd2)

[<Fact>]
let ``noise term is regular at alpha = 1 and small gamma`` () =
    // λ₋ = 0 at α = 1; the noise term σ²/(αλ)(1 - (1-γλ/L)^L)² ≈ σ²γ²λ/α near γ = 0.
    let noisy = iso 1.0 (Finite 7) 1.0
    let clean = iso 1.0 (Finite 7) 0.0
    let gamma = 1e-4

    let ratio =
        (IsoLandscape.loss noisy gamma - IsoLandscape.loss clean gamma)
        / (gamma * gamma)

    Assert.True(abs (ratio - 1.0) < 2e-4, sprintf "%g" ratio)

    Assert.Equal(
        2.0,
        IsoLandscape.secondDerivative noisy 0.0
        - IsoLandscape.secondDerivative clean 0.0,
        12
    )

    Assert.Equal(-2.0, IsoLandscape.derivative noisy 0.0, 13)

[<Theory>]
[<InlineData(0.25)>]
[<InlineData(1.0)>]
[<InlineData(8.0)>]
let ``without noise the finite-L minimizer is exactly L alpha / (1 + alpha)`` (alpha: float) =
    for depth in [ 1; 2; 5; 64 ] do
        let opt = IsoLandscape.optimum (iso alpha (Finite depth) 0.0)
        Assert.Equal(float depth * alpha / (1.0 + alpha), opt.GammaStar, 10)

[<Fact>]
let ``finite-L optimum approaches the infinite-depth one as L grows`` () =
    for alpha in [ 0.5; 2.0 ] do
        let limit = IsoLandscape.optimum (iso alpha Infinite 0.3)
        Assert.True(Double.IsFinite limit.GammaStar)

        let gaps =
            [
                for depth in [ 16; 64; 256 ] ->
                    let o = IsoLandscape.optimum (iso alpha (Finite depth) 0.3)
                    abs (o.GammaStar - limit.GammaStar), o.LossStar - limit.LossStar
            ]

        // O(1/L) approach: each 4× in L shrinks the gap about 4×.
        for (g1, l1), (g2, l2) in List.pairwise gaps do
            Assert.InRange(g1 / g2, 3.0, 5.0)
            Assert.InRange(l1 / l2, 3.0, 5.0)

[<Fact>]
let ``depths beyond the exact-rule range use the adaptive rule`` () =
    let deep = IsoLandscape.optimum (iso 2.0 (Finite 20000) 0.3)
    let limit = IsoLandscape.optimum (iso 2.0 Infinite 0.3)
    let mid = IsoLandscape.optimum (iso 2.0 (Finite 256) 0.3)
    // the O(1/L) gap shrinks by about 20000/256
    let ratio = (mid.GammaStar - limit.GammaStar) / (deep.GammaStar - limit.GammaStar)
    Assert.InRange(ratio, 60.0, 100.0)
    Assert.Equal(20000.0 * 2.0 / 3.0, (IsoLandscape.optimum (iso 2.0 (Finite 20000) 0.0)).GammaStar, 8)

[<Fact>]
let ``without noise the deep optimum loss tends to (1 - alpha)+ and Infinite returns it`` () =
    for alpha in [ 0.5; 1.0; 2.0 ] do
        let limit = max 0.0 (1.0 - alpha)
        let inf = IsoLandscape.optimum (iso alpha Infinite 0.0)
        Assert.True(Double.IsPositiveInfinity inf.GammaStar)
        Assert.Equal(limit, inf.LossStar)

        let losses =
            [
                for depth in [ 4; 16; 64; 256 ] ->
                    (IsoLandscape.optimum (iso alpha (Finite depth) 0.0)).LossStar - limit
            ]

        for a, b in List.pairwise losses do
            Assert.True(b < a)

        Assert.True(List.last losses < (if alpha = 1.0 then 0.04 else 1e-10))

[<Fact>]
let ``with noise the landscape can have two local minima and optimum returns the lower`` () =
    let p = iso 8.0 (Finite 16) 0.1
    let opt = IsoLandscape.optimum p
    let grid = [| for i in 1..2000 -> 30.0 * float i / 2000.0 |]
    let slopes = grid |> Array.map (IsoLandscape.derivative p)

    let minima =
        [
            for i in 1 .. grid.Length - 1 do
                if slopes[i - 1] < 0.0 && slopes[i] >= 0.0 then
                    yield grid[i]
        ]

    Assert.Equal(2, minima.Length)
    let best = grid |> Array.map (IsoLandscape.loss p) |> Array.min
    Assert.True(opt.LossStar <= best + 1e-15)
    Assert.InRange(opt.GammaStar, 6.0, 6.5)

[<Fact>]
let ``loss underflowing the double range keeps its logarithm`` () =
    let p = iso 8.0 (Finite 1024) 0.0
    let opt = IsoLandscape.optimum p
    Assert.Equal(0.0, opt.LossStar)
    let lnLoss = IsoLandscape.logLoss p opt.GammaStar
    Assert.InRange(lnLoss, -1000.0, -900.0)

[<Fact>]
let ``lossWithError reports the value and a rounding-level error`` () =
    let p = iso 2.0 (Finite 32) 0.5
    let r = IsoLandscape.lossWithError p 3.0
    Assert.Equal(IsoLandscape.loss p 3.0, r.Value, 15)
    Assert.True(r.ErrorEstimate < 1e-14)
    Assert.Equal(33, r.Nodes)

[<Fact>]
let ``bad parameters are refused naming alpha, depth, sigma2 and gamma`` () =
    let name (f: unit -> obj) =
        (Assert.Throws<InvalidParameterException>(fun () -> f () |> ignore)).Parameter

    Assert.Equal("alpha", name (fun () -> IsoLandscape.loss (iso 0.0 (Finite 1) 0.0) 1.0))
    Assert.Equal("alpha", name (fun () -> IsoLandscape.optimum (iso nan (Finite 1) 0.0)))
    Assert.Equal("depth", name (fun () -> IsoLandscape.optimum (iso 1.0 (Finite 0) 0.0)))
    Assert.Equal("sigma2", name (fun () -> IsoLandscape.derivative (iso 1.0 Infinite -0.1) 1.0))
    Assert.Equal("sigma2", name (fun () -> IsoLandscape.loss (iso 1.0 Infinite infinity) 1.0))
    Assert.Equal("gamma", name (fun () -> IsoLandscape.loss (iso 1.0 Infinite 0.0) -1.0))

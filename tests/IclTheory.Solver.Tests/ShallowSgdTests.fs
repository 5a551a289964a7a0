module IclTheory.Solver.Tests.ShallowSgdTests

open Xunit
open IclTheory.Solver
open IclTheory.Solver.ShallowSgd

let private sgd eta alpha kappa tau sigma2 =
    {
        Eta = eta
        Alpha = alpha
        Kappa = kappa
        Tau = tau
        Sigma2 = sigma2
    }

[<Fact>]
let ``printed Result 10 does not start at 1: 1.75 at alpha = 1, sigma2 = 0`` () =
    for eta, kappa, tau in [ 0.01, 1.0, 1.0; 0.2, 2.0, 5.0 ] do
        Assert.Equal(1.75, printedLoss (sgd eta 1.0 kappa tau 0.0) 0, 14)

[<Theory>]
[<InlineData(0.05, 1.0, 1.0, 1.0, 0.0)>]
[<InlineData(0.1, 0.5, 2.0, 4.0, 0.3)>]
[<InlineData(0.01, 4.0, 0.5, 0.25, 1.0)>]
let ``engine starts at Gamma = 0: distance to I and test loss are 1`` (eta, alpha, kappa, tau, sigma2) =
    let p = sgd eta alpha kappa tau sigma2
    Assert.Equal(1.0, engineDistanceToIdentity p 0, 14)
    Assert.Equal(1.0, engineTestLoss p 0, 14)
    let c = 1.0 + (1.0 + sigma2) / alpha
    // printed minus engine distance = (C_printed(0) - C(0))·a^t = (1 - 1/c²)·a^t.
    for step in [ 0; 3; 50 ] do
        Assert.Equal(
            (1.0 - 1.0 / (c * c)) * a p ** float step,
            printedLoss p step - engineDistanceToIdentity p step,
            13
        )

[<Theory>]
[<InlineData(0.05, 1.0, 1.0, 1.0, 0.0)>]
[<InlineData(0.1, 0.5, 2.0, 4.0, 0.3)>]
let ``closed forms match iterating the Eq. 74 recursion from C(0) = 1/c^2`` (eta, alpha, kappa, tau, sigma2) =
    let p = sgd eta alpha kappa tau sigma2
    let c = 1.0 + (1.0 + sigma2) / alpha
    let aa = (1.0 - eta * c) ** 2.0 + eta * eta / tau * (1.0 + 1.0 / kappa) * c * c
    let bb = eta * eta / tau * (1.0 + 1.0 / kappa) * (1.0 + sigma2) / alpha
    let mutable cc = 1.0 / (c * c)
    let mutable mean = -1.0 / c

    for step in 0..400 do
        if step % 50 = 0 then
            Assert.Equal(c * cc + 1.0 - 1.0 / c, engineTestLoss p step, 12)
            let distance = cc + 2.0 * mean * (1.0 / c - 1.0) + (1.0 - 1.0 / c) ** 2.0
            Assert.Equal(distance, engineDistanceToIdentity p step, 12)

        cc <- aa * cc + bb
        mean <- (1.0 - eta * c) * mean

[<Fact>]
let ``long-time test loss is c b / (1 - a) + 1 - 1/c`` () =
    let p = sgd 0.2 1.0 1.0 1.0 0.5
    let c = curvature p
    Assert.Equal(c * b p / (1.0 - a p) + 1.0 - 1.0 / c, engineTestLoss p 100000, 13)

[<Fact>]
let ``small eta at fixed eta·steps tends to the L = 1 gradient flow`` () =
    let alpha, sigma2, t = 1.0, 0.5, 2.0

    let iso =
        {
            Alpha = alpha
            Depth = Finite 1
            Sigma2 = sigma2
        }

    let flow = (IsoFlow.byQuadrature iso IsoFlow.Eq7 [| t |]).[0].Loss

    let gaps =
        [
            for steps in [ 100; 1000; 10000 ] ->
                abs (engineTestLoss (sgd (t / float steps) alpha 1.0 1.0 sigma2) steps - flow)
        ]

    Assert.True(gaps[2] < 1e-3)
    // first order in η
    Assert.InRange(gaps[0] / gaps[1], 8.0, 12.0)
    Assert.InRange(gaps[1] / gaps[2], 8.0, 12.0)

[<Fact>]
let ``bad parameters are refused naming the parameter`` () =
    let name (p: SgdParams) =
        (Assert.Throws<InvalidParameterException>(fun () -> engineTestLoss p 1 |> ignore)).Parameter

    Assert.Equal("eta", name (sgd 0.0 1.0 1.0 1.0 0.0))
    Assert.Equal("eta", name (sgd 0.9 1.0 1.0 1.0 0.0))
    Assert.Equal("alpha", name (sgd 0.1 nan 1.0 1.0 0.0))
    Assert.Equal("kappa", name (sgd 0.1 1.0 -1.0 1.0 0.0))
    Assert.Equal("tau", name (sgd 0.1 1.0 1.0 0.0 0.0))
    Assert.Equal("sigma2", name (sgd 0.1 1.0 1.0 1.0 -0.5))

    Assert.Equal(
        "step",
        (Assert.Throws<InvalidParameterException>(fun () -> printedLoss (sgd 0.1 1.0 1.0 1.0 0.0) -1 |> ignore))
            .Parameter
    )

/// The tabulated RRS landscape behind `flow` and `depthOptimum` (Taylor tail for γλ ≤ 1/2,
/// skipped underflowing modes, direct sum for the rest) against the plain sums over every mode.
module IclTheory.Solver.Tests.StructuredRrsTailTests

open System
open Xunit
open IclTheory.Solver

/// (1 - γλ/L)^n, e^(-2γλ) at L = ∞ (n is ignored there).
let private power (depth: Depth) (n: int) (x: float) =
    match depth with
    | Infinite -> exp (-2.0 * x)
    | Finite l -> pown (1.0 - x / float l) n

/// Σ_k term_k and Σ_k |term_k| of (1/M)Σ_k λ_k^p ω_k (1 - γλ_k/L)^n, summed mode by mode.
let private plainSum (s: Spectrum.Spectrum) (depth: Depth) (p: int) (n: int) (gamma: float) =
    let terms =
        Array.map2 (fun l o -> pown l p * o * power depth n (gamma * l)) s.Lambda s.Omega

    let m = float s.Lambda.Length
    Array.sum terms / m, (terms |> Array.sumBy abs) / m

/// A seeded spectrum in random order: λ log-uniform over 10^-4..10^2, ω over 10^-2..10^2.
let private randomSpectrum (rng: Random) (modes: int) =
    let logUniform lo hi =
        10.0 ** (lo + (hi - lo) * rng.NextDouble())

    Spectrum.ofArrays
        (Array.init modes (fun _ -> logUniform -4.0 2.0))
        (Array.init modes (fun _ -> logUniform -2.0 2.0))

let private depths = [ Finite 1; Finite 2; Finite 5; Finite 64; Infinite ]

let private powersOf (depth: Depth) =
    match depth with
    | Infinite -> 0, 0, 0
    | Finite l -> 2 * l, 2 * l - 1, 2 * l - 2

let private slopeFactor (depth: Depth) =
    match depth with
    | Infinite -> -2.0
    | Finite l -> -(2.0 * float l - 1.0) / float l

let private closeTo (what: string) (tolerance: float) (expected: float, scale: float) (actual: float) =
    Assert.True(
        abs (actual - expected) <= tolerance * scale,
        sprintf "%s: expected %.17g (scale %.3g), got %.17g" what expected scale actual
    )

[<Fact>]
let ``tabulated loss, rate and slope match the plain full sums to 1e-12 on random spectra`` () =
    let rng = Random 20240611
    // Sizes below, at and off the 32-mode block; γλ_max from 1e-4 (all tail) to 1e4 (most direct).
    for modes in [ 1; 7; 32; 33; 500; 2999 ] do
        let s = randomSpectrum rng modes
        let lambdaMax = Array.max s.Lambda

        let gammas =
            Array.append [| 0.0 |] (Array.init 25 (fun i -> 10.0 ** (-4.0 + 8.0 * float i / 24.0) / lambdaMax))

        for depth in depths do
            let lossPower, ratePower, slopePower = powersOf depth
            let points = RrsTheory.landscapePoints s depth gammas

            for point in points do
                let what = sprintf "M = %d, depth = %A, gamma = %g" modes depth point.Gamma
                closeTo (what + ", loss") 1e-12 (plainSum s depth 1 lossPower point.Gamma) point.Loss
                closeTo (what + ", rate") 1e-12 (plainSum s depth 2 ratePower point.Gamma) point.Rate
                let slope, slopeScale = plainSum s depth 3 slopePower point.Gamma

                closeTo
                    (what + ", slope")
                    1e-12
                    (slopeFactor depth * slope, abs (slopeFactor depth) * slopeScale)
                    point.Slope

                closeTo (what + ", plain loss") 1e-12 (RrsTheory.loss s depth point.Gamma, point.Loss) point.Loss

                closeTo
                    (what + ", plain rate")
                    1e-12
                    (RrsTheory.rate s depth point.Gamma, plainSum s depth 2 ratePower point.Gamma |> snd)
                    point.Rate

[<Fact>]
let ``a tail at the edge gamma lambda = 1/2 reproduces the closed forms`` () =
    // 64 equal modes (two whole blocks) at γλ = 1/2 exactly: all in the Taylor tail, whose
    // truncation is ≤ 4.4e-16 and whose Horner rounding is ≤ ~e²·18 ulps; the closed forms are
    // e^(-1) (L = ∞) and (1 - 1/(2L))^n.
    let lambda = 0.8
    let s = Spectrum.ofArrays (Array.create 64 lambda) (Array.create 64 1.25)
    let gamma = 0.5 / lambda

    for depth in depths do
        let lossPower, ratePower, slopePower = powersOf depth
        let point = (RrsTheory.landscapePoints s depth [| gamma |])[0]
        let x = 0.5
        let expectedLoss = lambda * 1.25 * power depth lossPower x
        let expectedRate = lambda * lambda * 1.25 * power depth ratePower x

        let expectedSlope =
            slopeFactor depth * lambda * lambda * lambda * 1.25 * power depth slopePower x

        closeTo (sprintf "loss, %A" depth) 1e-14 (expectedLoss, expectedLoss) point.Loss
        closeTo (sprintf "rate, %A" depth) 1e-14 (expectedRate, expectedRate) point.Rate
        closeTo (sprintf "slope, %A" depth) 1e-14 (expectedSlope, abs expectedSlope) point.Slope

[<Fact>]
let ``tabulated slope matches central differences of the tabulated rate`` () =
    let s = Spectrum.powerLaw 1.0 1.0 5000

    for depth in depths do
        for gamma in [ 0.01; 0.7; 3.0; 40.0 ] do
            let h = 1e-5 * gamma
            let points = RrsTheory.landscapePoints s depth [| gamma - h; gamma; gamma + h |]
            let fd = (points[2].Rate - points[0].Rate) / (2.0 * h)
            // Central differences: O(h²F''') truncation and O(ε F/h) rounding, both ≲ 1e-7 relative here.
            closeTo (sprintf "depth %A, gamma %g" depth gamma) 1e-6 (fd, abs fd) points[1].Slope

[<Fact>]
let ``modes whose exponential underflows contribute exactly nothing`` () =
    // At L = ∞ and γλ ≥ 373 the factor e^(-2γλ) is 0 in double: the top mode drops out and the
    // loss is the second mode's alone.
    let s = Spectrum.ofArrays [| 1000.0; 0.001 |] [| 1.0; 2.0 |]
    let point = (RrsTheory.landscapePoints s Infinite [| 1.0 |])[0]
    let expected = 0.5 * 0.001 * 2.0 * exp (-0.002)
    closeTo "loss" 1e-15 (expected, expected) point.Loss
    Assert.Equal(RrsTheory.loss s Infinite 1.0, point.Loss, 15)

[<Fact>]
let ``landscapePoints rejects negative and non-finite gammas naming the parameter`` () =
    let s = Spectrum.powerLaw 1.0 1.0 10

    for bad in [ -1e-3; nan; infinity ] do
        let e =
            Assert.Throws<InvalidParameterException>(fun () ->
                RrsTheory.landscapePoints s Infinite [| 1.0; bad |] |> ignore)

        Assert.Equal("gammas", e.Parameter)

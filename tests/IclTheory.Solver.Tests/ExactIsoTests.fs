module IclTheory.Solver.Tests.ExactIsoTests

open System.Numerics
open Xunit
open Xunit.Abstractions
open IclTheory.Solver

[<Fact>]
let ``moment recurrence matches the Narayana sum for k up to 30`` () =
    for a, b in [ 1, 4; 2, 1; 8, 1; 1, 1; 3, 5 ] do
        let m = ExactIso.scaledMoments (BigInteger a) (BigInteger b) 30

        for k in 1..30 do
            Assert.Equal(ExactIso.scaledMomentByNarayana (BigInteger a) (BigInteger b) k, m[k])

[<Fact>]
let ``exact polynomial reproduces the L = 1 closed form`` () =
    // α = 2, σ² = 1/2: ℒ(γ) = 1 - 2γ + γ²(1 + 1/α) + σ²γ²/α, s = γ.
    let poly = ExactIso.lossPolynomial 2 1 1 2 1
    let expected = [| 1.0; -2.0; 1.5 + 0.25 |]
    let actual = poly.Num |> Array.map (fun n -> float n / float poly.Den)
    Assert.Equal<float[]>(expected, actual)

/// γ* and ℒ* from `optimum` against the exact minimizer: (α = a/b, L, σ² = sn/sd).
type ExactOptimumTests(output: ITestOutputHelper) =
    static member Cases: obj[] seq =
        seq {
            yield [| box 1; box 4; box 1024; box 0; box 1 |]
            yield [| box 8; box 1; box 1024; box 0; box 1 |]
            yield [| box 8; box 1; box 1024; box 1; box 1 |]
            yield [| box 1; box 4; box 1024; box 1; box 1 |]
            yield [| box 1; box 1; box 256; box 1; box 10 |]
            yield [| box 2; box 1; box 64; box 1; box 2 |]
            yield [| box 8; box 1; box 16; box 1; box 10 |]
        }

    [<Theory>]
    [<MemberData(nameof ExactOptimumTests.Cases)>]
    member _.``optimum agrees with the exact minimizer to 1e-8``(a: int, b: int, depth: int, sn: int, sd: int) =
        let p =
            {
                Alpha = float a / float b
                Depth = Finite depth
                Sigma2 = float sn / float sd
            }

        let opt = IsoLandscape.optimum p
        let poly = ExactIso.lossPolynomial a b sn sd depth
        let bits = 4 * depth + 256

        let sStar, logLossExact =
            ExactIso.minimizerNear poly (opt.GammaStar / float depth) bits

        let gammaExact = sStar * float depth
        let gammaError = abs (opt.GammaStar - gammaExact) / gammaExact
        let logLossSolver = IsoLandscape.logLoss p opt.GammaStar
        let lossError = abs (exp (logLossSolver - logLossExact) - 1.0)

        output.WriteLine(
            sprintf
                "alpha=%g L=%d sigma2=%g: gamma* %.17g (exact %.17g, rel %.1e), ln L* %.15g (exact %.15g, rel L %.1e), estimate %.1e"
                p.Alpha
                depth
                p.Sigma2
                opt.GammaStar
                gammaExact
                gammaError
                logLossSolver
                logLossExact
                lossError
                opt.ErrorEstimate
        )

        Assert.True(gammaError < 1e-8, sprintf "gamma* relative error %g" gammaError)
        Assert.True(lossError < 1e-8, sprintf "loss* relative error %g" lossError)

        if opt.LossStar > 0.0 then
            Assert.True(abs (opt.LossStar / exp logLossExact - 1.0) < 1e-8)

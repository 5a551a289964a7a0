module IclTheory.Solver.Tests.StructuredFsTests

open System
open Xunit
open MathNet.Numerics.LinearAlgebra
open IclTheory.Solver

let private raisesNaming (name: string) (f: unit -> 'a) =
    let e = Assert.ThrowsAny<InvalidParameterException>(fun () -> f () |> ignore)
    Assert.Contains(name, e.Message)

let private relClose (tolerance: float) (expected: float) (actual: float) =
    Assert.True(
        abs (actual - expected) <= tolerance * abs expected,
        sprintf "expected %.17g, got %.17g" expected actual
    )

[<Fact>]
let ``powerLaw obeys the source condition omega_k lambda_k = k^(-nu beta - 1)`` () =
    let s = Spectrum.powerLaw 1.5 0.7 50

    for k in [ 1; 7; 50 ] do
        relClose 1e-15 (float k ** -1.5) s.Lambda[k - 1]
        relClose 1e-14 (float k ** (-1.5 * 0.7 - 1.0)) (s.Lambda[k - 1] * s.Omega[k - 1])

    Assert.Equal(50, Spectrum.modes s)
    Assert.True(Spectrum.isSortedDescending s)
    raisesNaming "nu" (fun () -> Spectrum.powerLaw 0.0 1.0 5)
    raisesNaming "beta" (fun () -> Spectrum.powerLaw 1.0 -1.0 5)
    raisesNaming "modes" (fun () -> Spectrum.powerLaw 1.0 1.0 0)

[<Fact>]
let ``ofArrays and parseCsv validate and name the culprit`` () =
    raisesNaming "omega[1]" (fun () -> Spectrum.ofArrays [| 1.0; 0.5 |] [| 1.0; -2.0 |])
    raisesNaming "omega" (fun () -> Spectrum.ofArrays [| 1.0; 0.5 |] [| 1.0 |])
    raisesNaming "lambda[0]" (fun () -> Spectrum.ofArrays [| nan |] [| 1.0 |])
    let s = Spectrum.parseCsv "# spectrum\nlambda,omega\n2.0, 0.5  # top\n\n1.0,3\n"
    Assert.Equal<float[]>([| 2.0; 1.0 |], s.Lambda)
    Assert.Equal<float[]>([| 0.5; 3.0 |], s.Omega)
    // (1/M) Σ λω = (1 + 3)/2.
    Assert.Equal(2.0, Spectrum.normalizedTrace s (fun l o -> l * o), 15)
    raisesNaming "line 3" (fun () -> Spectrum.parseCsv "lambda,omega\n1,1\n1;2\n")
    raisesNaming "line 2" (fun () -> Spectrum.parseCsv "1,1\n0,2\n")
    Assert.False(Spectrum.isSortedDescending (Spectrum.ofArrays [| 1.0; 2.0 |] [| 1.0; 1.0 |]))

let private modeOde (c: float) (depth: Depth) (lambda: float) (omega: float) (times: float[]) =
    let rate (g: float) =
        match depth with
        | Infinite -> c * omega * lambda * lambda * exp (-2.0 * lambda * g)
        | Finite l -> c * omega * lambda * lambda * pown (1.0 - lambda * g / float l) (2 * l - 1)

    let problem: Ode.Problem =
        {
            Rhs = fun _ y -> [| rate y[0] |]
            T0 = 0.0
            Y0 = [| 0.0 |]
        }

    let options =
        { Ode.defaultOptions with
            RelTol = 1e-12
            AbsTol = 1e-16
        }

    (Ode.solve Ode.dormandPrince54 options problem times).States
    |> Array.map (fun y -> y[0])

[<Theory>]
[<InlineData(1)>]
[<InlineData(2)>]
[<InlineData(5)>]
[<InlineData(0)>]
let ``closed-form gamma_k(t) matches Dormand-Prince on Eq. 10 and Eq. 85`` (depth: int) =
    let depth = if depth = 0 then Infinite else Finite depth
    let times = [| 1e-3; 0.1; 1.0; 10.0; 300.0 |]

    for convention, c in [ FsTheory.Eq10, 1.0; FsTheory.Eq85, 2.0 ] do
        let reference = modeOde c depth 0.8 1.3 times

        for t, expected in Array.zip times reference do
            relClose 1e-9 expected (FsTheory.gamma convention depth 0.8 1.3 t)

[<Fact>]
let ``printed Result 4 gamma is the Eq85 solution, and Eq10 at L = infinity is ln(1 + 2 omega lambda^3 t)/(2 lambda)``
    ()
    =
    for t in [ 0.01; 1.0; 50.0 ] do
        relClose 1e-14 (FsTheory.gamma FsTheory.Eq85 Infinite 0.6 2.0 t) (FsTheory.printedResult4Gamma 0.6 2.0 t)
        relClose 1e-14 (log (1.0 + 2.0 * 2.0 * 0.216 * t) / 1.2) (FsTheory.gamma FsTheory.Eq10 Infinite 0.6 2.0 t)
        // The printed loss of Result 4 is M times the Eq85 curve at L = ∞ (Σ without 1/D).
        let s = Spectrum.powerLaw 1.0 1.0 20
        relClose 1e-13 (20.0 * FsTheory.lossAt s FsTheory.Eq85 Infinite t) (FsTheory.printedResult4Loss s t)

    // Large depth approaches the L = ∞ solution (the correction is O(1/L)).
    let inf = FsTheory.gamma FsTheory.Eq10 Infinite 0.6 2.0 5.0
    let deep = FsTheory.gamma FsTheory.Eq10 (Finite 100000) 0.6 2.0 5.0
    Assert.True(abs (deep / inf - 1.0) < 1e-4)

[<Fact>]
let ``printed Eq. 87 and Eq. 89 are evaluated as printed`` () =
    let s = Spectrum.powerLaw 1.0 1.0 3
    // modes k = 1..3: ωλ = k^-2, ωλ³ = k^-4.
    let expected =
        (1.0 / (1.0 + 2.0) + 0.25 / (1.0 + 2.0 / 16.0) + (1.0 / 9.0) / (1.0 + 2.0 / 81.0))
        / 3.0

    relClose 1e-15 expected (FsTheory.printedEq87Loss s 2.0)
    // Eq. 89 prints k^(-2ν-νβ) in the bracket (k^-3 here), not ω_kλ_k³ = k^(-1-2ν-νβ) of Eqs. 87–88.
    let printed89 =
        1.0 / 3.0 + 0.25 / (1.0 + 2.0 / 8.0) + (1.0 / 9.0) / (1.0 + 2.0 / 27.0)

    relClose 1e-15 printed89 (FsTheory.printedEq89Sum 1.0 1.0 2.0 3)

[<Fact>]
let ``the loss is exactly zero at the Result 3 fixed point and the curve agrees with Eq. 84`` () =
    let s = Spectrum.powerLaw 1.0 1.0 40

    for depth in [ 1; 3; 8 ] do
        Assert.Equal(0.0, FsTheory.loss s (Finite depth) (FsTheory.fixedPoint s depth))

    let t0 = FsTheory.lossAt s FsTheory.Eq10 (Finite 3) 0.0
    relClose 1e-15 (Spectrum.normalizedTrace s (fun l o -> l * o)) t0

    for depth in [ Finite 1; Finite 3; Infinite ] do
        for point in FsTheory.curve s FsTheory.Eq10 depth 40 [| 0.5; 20.0; 1e4 |] do
            relClose 1e-12 (FsTheory.loss s depth point.Gammas) point.Loss

    raisesNaming "leadingModes" (fun () -> FsTheory.curve s FsTheory.Eq10 Infinite 41 [| 1.0 |])
    raisesNaming "depth" (fun () -> FsTheory.gamma FsTheory.Eq10 (Finite 0) 1.0 1.0 1.0)

[<Fact>]
let ``expm of a 2x2 generator is the rotation matrix`` () =
    let theta = 0.9
    let q = FsTheory.expm (array2D [ [ 0.0; -theta ]; [ theta; 0.0 ] ])
    Assert.Equal(cos theta, q[0, 0], 14)
    Assert.Equal(-(sin theta), q[0, 1], 14)
    Assert.Equal(sin theta, q[1, 0], 14)
    Assert.Equal(cos theta, q[1, 1], 14)

[<Fact>]
let ``expm of a random skew matrix is a proper rotation`` () =
    let s = FsTheory.randomSkew 7 42
    Assert.Equal<float[,]>(s, FsTheory.randomSkew 7 42)

    let q =
        Matrix<float>.Build.DenseOfArray(FsTheory.expm (Array2D.map (fun x -> 3.0 * x) s))

    let defect =
        (q.TransposeThisAndMultiply q - Matrix<float>.Build.DenseIdentity 7).L1Norm()

    Assert.True(defect < 1e-13, sprintf "QᵀQ - I = %g" defect)
    Assert.Equal(1.0, q.Determinant(), 12)

[<Fact>]
let ``Eq. 11 reduces to a mode sum for a diagonal shift and vanishes at theta = 0`` () =
    // Σ' = diag(λ'), Ω' = diag(ω'): ℒ = (1/D) Σ ω'λ'(1 - λ'/λ)^(2L).
    let lambda = [| 2.0; 1.0; 0.5 |]
    let lambdaPrime = [| 2.5; 0.7; 0.5 |]
    let omegaPrime = [| 1.0; 2.0; 3.0 |]

    let diag (v: float[]) =
        Array2D.init 3 3 (fun i j -> if i = j then v[i] else 0.0)

    for depth in [ 1; 2; 5 ] do
        let expected =
            Array.init 3 (fun k ->
                omegaPrime[k]
                * lambdaPrime[k]
                * (1.0 - lambdaPrime[k] / lambda[k]) ** float (2 * depth))
            |> Array.sum

        relClose
            1e-12
            (expected / 3.0)
            (FsTheory.oodLoss (diag lambda) (diag [| 1.0; 1.0; 1.0 |]) (diag lambdaPrime) (diag omegaPrime) depth)

    let s = Spectrum.powerLaw 1.0 1.0 12
    let curve = FsTheory.oodCurve s 2 [| 0.0; 0.05; 0.2; 0.5 |] 7 false
    Assert.True(abs curve[0] < 1e-25)
    Assert.True(curve[1] > 0.0 && curve[2] > curve[1] && curve[3] > curve[2])

[<Fact>]
let ``the isotropic learner is invariant when Sigma and Omega rotate together`` () =
    let s = Spectrum.powerLaw 1.0 1.0 10
    let gamma = (RrsTheory.depthOptimum s 3).GammaStar
    let curve = FsTheory.oodCurveIsotropic s 3 gamma [| 0.0; 0.3; 1.0 |] 11 true
    // At θ = 0 it is the RRS landscape at γ.
    relClose 1e-12 (RrsTheory.loss s (Finite 3) gamma) curve[0]

    for v in curve do
        relClose 1e-10 curve[0] v

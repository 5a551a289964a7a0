module IclTheory.Solver.Tests.NumericsTests

open System
open Xunit
open IclTheory.Solver

[<Fact>]
let ``expm1 and log1p keep full relative accuracy at small arguments`` () =
    for x in [ 1e-4; 1e-8; 1e-12; -1e-10 ] do
        let series = x + x * x / 2.0 + x * x * x / 6.0 + x * x * x * x / 24.0
        Assert.True(abs (Precision.expm1 x / series - 1.0) < 1e-15)
        let logSeries = x - x * x / 2.0 + x * x * x / 3.0 - x * x * x * x / 4.0
        Assert.True(abs (Precision.log1p x / logSeries - 1.0) < 1e-15)

[<Fact>]
let ``Gauss-Kronrod integrates polynomials up to degree 22 on one panel and exp adaptively`` () =
    for k in 0..22 do
        // relTol = 1 accepts the first panel: K15 is exact to degree 22, G7 to degree 13.
        let r = GaussKronrod.integrate "x^k" 1.0 0.0 1 (fun x -> x ** float k) 0.0 1.0
        Assert.Equal(1.0 / float (k + 1), r.Value, 14)

        if k <= 13 then
            Assert.True(r.ErrorEstimate < 1e-15)
        else
            Assert.True(r.ErrorEstimate > 1e-12)

    let e = GaussKronrod.integrate "exp" 1e-13 0.0 1000 exp 0.0 10.0
    Assert.True(abs (e.Value / (exp 10.0 - 1.0) - 1.0) < 1e-13)

let private gaussian: Ode.Problem =
    {
        Rhs = fun t y -> [| -2.0 * t * y[0] |]
        T0 = 0.0
        Y0 = [| 1.0 |]
    }

[<Fact>]
let ``Dormand-Prince has observed order 5 with fixed steps`` () =
    let errorWith (h: float) =
        let options =
            { Ode.defaultOptions with
                FixedStep = Some h
            }

        let s = Ode.solve Ode.dormandPrince54 options gaussian [| 2.0 |]
        abs (s.States[0][0] - exp -4.0)

    let order = log (errorWith 0.04 / errorWith 0.02) / log 2.0
    Assert.True(abs (order - 5.0) < 0.35, sprintf "observed order %g (%g, %g)" order (errorWith 0.04) (errorWith 0.02))

[<Fact>]
let ``adaptive Dormand-Prince meets its tolerance at every requested time`` () =
    let times = [| 0.0; 0.3; 1.0; 2.5 |]
    let s = Ode.solve Ode.dormandPrince54 Ode.defaultOptions gaussian times
    Assert.Equal(Ode.Success, s.ReturnCode)
    Assert.Equal<float[]>(times, s.Times)

    for t, y in Array.zip s.Times s.States do
        Assert.True(abs (y[0] - exp (-t * t)) < 1e-9)

[<Fact>]
let ``failures are return codes, not exceptions`` () =
    let few =
        Ode.solve Ode.dormandPrince54 { Ode.defaultOptions with MaxSteps = 3 } gaussian [| 10.0 |]

    Assert.Equal(Ode.MaxIters, few.ReturnCode)

    let blowUp: Ode.Problem =
        {
            Rhs = fun _ y -> [| y[0] * y[0] |]
            T0 = 0.0
            Y0 = [| 1.0 |]
        }

    let s = Ode.solve Ode.dormandPrince54 Ode.defaultOptions blowUp [| 2.0 |]
    Assert.True(s.ReturnCode = Ode.StepTooSmall || s.ReturnCode = Ode.Unstable, sprintf "%A" s.ReturnCode)

    let nan: Ode.Problem =
        {
            Rhs = fun t _ -> [| (if t > 0.5 then Double.NaN else 1.0) |]
            T0 = 0.0
            Y0 = [| 0.0 |]
        }

    Assert.Equal(Ode.Unstable, (Ode.solve Ode.dormandPrince54 Ode.defaultOptions nan [| 1.0 |]).ReturnCode)

[<Fact>]
let ``misuse fails at setup naming the parameter`` () =
    let ex =
        Assert.Throws<InvalidParameterException>(fun () ->
            Ode.solve Ode.dormandPrince54 Ode.defaultOptions gaussian [| 1.0; 0.5 |]
            |> ignore)

    Assert.Equal("saveAt", ex.Parameter)

/// `icl simplify`: canonical forms, values and derivatives against closed forms worked by hand
/// and finite differences, equality, and refusals of bad input with exit 2 and nothing written.
module IclTheory.Cli.Tests.SimplifyCliTests

open Xunit
open IclTheory.Symbolic
open IclTheory.Cli.Tests.CliRunner

let private field (name: string) (out: string) = (json out).GetProperty(name)

[<Fact>]
let ``simplify cancels, differentiates and evaluates: closed forms worked by hand`` () =
    // (β² + 2β)/(β(2 + β)) = 1, so the formula is 1 + νβ/(1 + ν + νβ) = (1 + ν + 2νβ)/(1 + ν + νβ),
    // whose β-derivative is ν(1 + ν)/(1 + ν + νβ)²; at ν = 1, β = 1/2: 3/2.5 = 1.2 and 2/6.25 = 0.32.
    let code, out, err =
        icl
            [
                "simplify"
                "(beta^2 + 2*beta)/(beta*(2+beta)) + nu*beta/(nu+nu*beta+1)"
                "--diff"
                "beta"
                "--at"
                "nu=1, beta=0.5"
                "--format"
                "json"
            ]

    Assert.Equal(0, code)
    Assert.Equal("", err)
    let expected = Parser.parse "(1 + nu + 2*nu*beta)/(1 + nu + nu*beta)"
    Assert.Equal(Rational.simplify expected, Parser.parse ((field "simplified" out).GetString()))
    Assert.Equal("(1 + ν + 2·β·ν)/(1 + ν + β·ν)", (field "simplified_unicode" out).GetString())
    Assert.StartsWith("\\frac{", (field "simplified_latex" out).GetString())
    Assert.Equal(1.2, (field "value" out).GetDouble(), 12)
    Assert.Equal(0.32, (field "derivative_value" out).GetDouble(), 12)

[<Fact>]
let ``the printed derivative matches a finite difference of the printed value`` () =
    let valueAt (beta: float) =
        let _, out, _ =
            icl
                [
                    "simplify"
                    "t^(-beta/(2+beta))*ln(t)"
                    "--at"
                    sprintf "t=3,beta=%.17g" beta
                    "--format"
                    "json"
                ]

        (field "value" out).GetDouble()

    let _, out, _ =
        icl
            [
                "simplify"
                "t^(-beta/(2+beta))*ln(t)"
                "--diff"
                "beta"
                "--at"
                "t=3,beta=1"
                "--format"
                "json"
            ]

    let h = 1e-4
    let central = (valueAt (1.0 + h) - valueAt (1.0 - h)) / (2.0 * h)
    // central difference error ~ h²·f‴ ≈ 1e-8 here
    Assert.Equal(central, (field "derivative_value" out).GetDouble(), 7)

[<Fact>]
let ``equal formulas agree canonically and by probe, different ones by neither`` () =
    let compare a b =
        let code, out, _ = icl [ "simplify"; a; "--equal"; b; "--format"; "json" ]
        Assert.Equal(0, code)
        (field "equal_canonical" out).GetBoolean(), (field "equal_probe" out).GetBoolean()

    Assert.Equal((true, true), compare "5*beta/(5*beta+2)" "1 - 2/(2+5*beta)")
    Assert.Equal((false, false), compare "5*beta/(5*beta+2)" "beta/(2+beta)")

[<Theory>]
[<InlineData("beta/(2+beta", "", "formula", "column 13")>]
[<InlineData("x/0", "", "formula", "divides by zero")>]
[<InlineData("x + y", "x=1", "at", "y is missing")>]
[<InlineData("ln(x)", "x=-1", "at", "finite")>]
[<InlineData("x", "x=abc", "at", "not a number")>]
[<InlineData("x", "x", "at", "name=value")>]
let ``bad input exits 2 naming the parameter, and writes nothing``
    (formula: string, at: string, name: string, why: string)
    =
    let args = [ "simplify"; formula ] @ (if at = "" then [] else [ "--at"; at ])

    let code, out, err = icl args
    Assert.Equal(2, code)
    Assert.Equal("", out)
    Assert.Contains(sprintf "%s = " name, err)
    Assert.Contains(why, err)

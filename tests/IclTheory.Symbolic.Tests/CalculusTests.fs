module IclTheory.Symbolic.Tests.CalculusTests

open Xunit
open IclTheory.Symbolic

/// variable, e → ∂e/∂variable after Rational.simplify.
[<Theory>]
[<InlineData("x", "x^3", "3*x^2")>]
[<InlineData("x", "ln(x)", "1/x")>]
[<InlineData("x", "exp(-x)", "-exp(-x)")>]
[<InlineData("x", "x^a", "a*x^(a - 1)")>]
[<InlineData("x", "a^x", "a^x*ln(a)")>]
[<InlineData("x", "x^x", "x^x + x^x*ln(x)")>]
[<InlineData("x", "x*y", "y")>]
[<InlineData("x", "ln(x^2+1)", "2*x/(1 + x^2)")>]
[<InlineData("x", "exp(x^2)", "2*x*exp(x^2)")>]
[<InlineData("x", "1/x", "-1/x^2")>]
[<InlineData("x", "(x+1)^(1/2)", "1/(2*(1 + x)^(1/2))")>]
[<InlineData("x", "a*x^2 + b*x + c", "b + 2*a*x")>]
[<InlineData("x", "y", "0")>]
[<InlineData("x", "ln(ln(x))", "1/(x*ln(x))")>]
[<InlineData("gamma", "gamma^(-beta)", "-beta/gamma^(1 + beta)")>]
let ``derivatives`` (variable: string, input: string, expected: string) =
    Assert.Equal(expected, Print.plain (Rational.simplify (Calculus.differentiate variable (Parser.parse input))))

/// e, x := value → result.
[<Theory>]
[<InlineData("x^2 + x", "y + 1", "(1 + y)^2 + y + 1")>]
[<InlineData("x^(1/2)", "y^2", "(y^2)^(1/2)")>]
[<InlineData("ln(x)", "exp(y)", "y")>]
[<InlineData("x*t^(-x)", "beta/(2+beta)", "beta/((2 + beta)*t^(beta/(2 + beta)))")>]
let ``substitution`` (input: string, value: string, expected: string) =
    let result = Calculus.substitute "x" (Parser.parse value) (Parser.parse input)
    Assert.Equal(Parser.parse expected, result)

[<Fact>]
let ``simultaneous substitution`` () =
    let values = Map.ofList [ "x", Parser.parse "y"; "y", Parser.parse "x" ]
    Assert.Equal(Parser.parse "x - y", Calculus.substituteMany values (Parser.parse "y - x"))

[<Fact>]
let ``evaluation`` () =
    let values = Map.ofList [ "beta", 1.0; "nu", 2.0 ]
    Assert.Equal(1.0 / 3.0, Evaluate.evaluate values (Parser.parse "beta/(2+beta)"), 15)
    Assert.Equal(exp 1.0, Evaluate.evaluate values (Parser.parse "exp(beta)"), 15)

[<Fact>]
let ``evaluation names a missing symbol`` () =
    let values = Map.ofList [ "beta", 1.0 ]
    Assert.Equal(Error(MissingSymbol "nu"), Evaluate.tryEvaluate values (Parser.parse "nu*beta"))

    let ex =
        Assert.Throws<EvaluationException>(fun () -> Evaluate.evaluate values (Parser.parse "nu*beta") |> ignore)

    Assert.Equal("no value given for the symbol 'nu'", string ex.Data0)

[<Fact>]
let ``evaluation refuses undefined values`` () =
    Assert.Equal(Error(NotANumber Undefined), Evaluate.tryEvaluate Map.empty (Parser.parse "0/0"))

[<Fact>]
let ``probe equality`` () =
    let a, b = Parser.parse "(x^2 - 1)/(x - 1)", Parser.parse "x + 1"
    Assert.True(Evaluate.probeEqual 1 50 (0.5, 2.0) 1e-12 a b)
    Assert.False(Evaluate.probeEqual 1 50 (0.5, 2.0) 1e-12 a (Parser.parse "x + 1.000001"))

module IclTheory.Symbolic.Tests.CanonicalFormTests

open Xunit
open IclTheory.Symbolic

/// input (parsed through the smart constructors) → canonical form, printed plainly.
[<Theory>]
[<InlineData("x + x", "2*x")>]
[<InlineData("x*x", "x^2")>]
[<InlineData("x^0", "1")>]
[<InlineData("x^1", "x")>]
[<InlineData("2 + 3", "5")>]
[<InlineData("x + 0", "x")>]
[<InlineData("1*x", "x")>]
[<InlineData("0*x", "0")>]
[<InlineData("x - x", "0")>]
[<InlineData("(x^2)^3", "x^6")>]
[<InlineData("(x^2)^(1/2)", "(x^2)^(1/2)")>]
[<InlineData("(x^(1/2))^2", "x")>]
[<InlineData("(x*y)^2", "x^2*y^2")>]
[<InlineData("(x*y)^(1/2)", "(x*y)^(1/2)")>]
[<InlineData("x^a*x^b", "x^(a + b)")>]
[<InlineData("x*x^a", "x^(1 + a)")>]
[<InlineData("exp(x)*exp(y)", "exp(x + y)")>]
[<InlineData("exp(x)^2", "exp(2*x)")>]
[<InlineData("ln(exp(x))", "x")>]
[<InlineData("exp(ln(x))", "x")>]
[<InlineData("ln(1)", "0")>]
[<InlineData("exp(0)", "1")>]
[<InlineData("4^(1/2)", "2")>]
[<InlineData("8^(-2/3)", "1/4")>]
[<InlineData("2^(1/2)*2^(1/2)", "2")>]
[<InlineData("3*x + 2*x", "5*x")>]
[<InlineData("y + x", "x + y")>]
[<InlineData("x^2 + x + 1", "1 + x + x^2")>]
[<InlineData("x/0", "complexinfinity")>]
[<InlineData("0/0", "undefined")>]
[<InlineData("0^0", "undefined")>]
[<InlineData("ln(0)", "complexinfinity")>]
[<InlineData("ln(-2)", "undefined")>]
[<InlineData("x + undefined", "undefined")>]
[<InlineData("x/0 + y/0", "undefined")>]
[<InlineData("2*x*3", "6*x")>]
[<InlineData("x*y*x", "x^2*y")>]
[<InlineData("(x+1)*(x+1)", "(1 + x)^2")>]
[<InlineData("(x+1)/(x+1)", "1")>]
[<InlineData("2/4", "1/2")>]
[<InlineData("-(-x)", "x")>]
[<InlineData("beta*nu + nu*beta", "2*beta*nu")>]
[<InlineData("x - 2*x", "-x")>]
[<InlineData("(1/2)^2", "1/4")>]
[<InlineData("(2/3)^(-2)", "9/4")>]
[<InlineData("x^2*x^(-2)", "1")>]
[<InlineData("1/x^2", "1/x^2")>]
[<InlineData("2^(3/2)", "2^(3/2)")>]
[<InlineData("(-8)^(1/3)", "(-8)^(1/3)")>]
[<InlineData("x/y/z", "x/(y*z)")>]
[<InlineData("exp(x)*exp(-x)", "1")>]
[<InlineData("(x+y)^2 - (x+y)^2", "0")>]
[<InlineData("x*ln(x) + ln(x)*x", "2*x*ln(x)")>]
let ``canonical form`` (input: string, expected: string) =
    Assert.Equal(expected, Print.plain (Parser.parse input))

[<Fact>]
let ``structural equality is equality of canonical forms`` () =
    Assert.Equal(Parser.parse "x*y + 2", Parser.parse "2 + y*x")
    Assert.NotEqual(Parser.parse "x*y", Parser.parse "x*z")

[<Fact>]
let ``the canonical order puts numbers first and like terms side by side`` () =
    let order a b =
        Expr.order (Parser.parse a) (Parser.parse b)

    Assert.True(order "3" "x" < 0)
    Assert.True(order "x" "x^2" < 0)
    Assert.True(order "x^2" "y" < 0)
    Assert.True(order "x" "exp(x)" < 0)
    Assert.Equal(0, order "x*y" "y*x")

[<Fact>]
let ``tryDivide refuses an exact zero denominator`` () =
    Assert.Equal(Error "division of x by zero", Expr.tryDivide (Symbol "x") Expr.zero)
    Assert.Equal(Ok(Parser.parse "x/y"), Expr.tryDivide (Symbol "x") (Symbol "y"))

[<Fact>]
let ``operators go through the smart constructors`` () =
    let x = Symbol "x"
    Assert.Equal(Parser.parse "2*x + 1", x + x + 1)
    Assert.Equal(Parser.parse "x^3/2", x * x * x / 2)
    Assert.Equal(Expr.zero, x - x)

[<Fact>]
let ``equal expressions built apart have equal hashes, and the node kind takes part in equality`` () =
    let a = Parser.parse "x*ln(1 + y)^(1/2) + exp(z)"
    let b = Parser.parse "exp(z) + ln(y + 1)^(1/2)*x"
    Assert.False(obj.ReferenceEquals(a, b))
    Assert.Equal(a, b)
    Assert.Equal(a.GetHashCode(), b.GetHashCode())
    Assert.NotEqual(Sum [ Symbol "x"; Symbol "y" ], Product [ Symbol "x"; Symbol "y" ])
    Assert.NotEqual(Ln(Symbol "x"), Exp(Symbol "x"))

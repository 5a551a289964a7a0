module IclTheory.Symbolic.Tests.RationalTests

open Xunit
open IclTheory.Symbolic

/// input → Rational.simplify, printed plainly.
[<Theory>]
[<InlineData("(beta^2 + 2*beta)/(beta*(2+beta))", "1")>]
[<InlineData("nu*beta/(nu + nu*beta + 1)", "beta*nu/(1 + nu + beta*nu)")>]
[<InlineData("nu*beta/(2*nu + nu*beta)", "beta/(2 + beta)")>]
[<InlineData("(x^2 - 1)/(x - 1)", "1 + x")>]
[<InlineData("1/x + 1/y", "(x + y)/(x*y)")>]
[<InlineData("(x^2 - y^2)/(x + y)", "x - y")>]
[<InlineData("(6*x + 4)/(9*x + 6)", "2/3")>]
[<InlineData("x/2 + x/3", "5*x/6")>]
[<InlineData("(x^3 - 1)/(x^2 + x + 1)", "x - 1")>]
[<InlineData("(x*y + x)/(y^2 - 1)", "x/(y - 1)")>]
[<InlineData("(a*b + a*c)/(b + c)", "a")>]
[<InlineData("exp(x)/exp(x)", "1")>]
[<InlineData("(x^(1/2)+1)*(x^(1/2)-1)", "x - 1")>]
[<InlineData("1/(1/x + 1)", "x/(1 + x)")>]
[<InlineData("(x+1)^2 - x^2 - 2*x", "1")>]
[<InlineData("(x^2+2*x*y+y^2)/(x+y)", "x + y")>]
[<InlineData("ln(x^2/x)", "ln(x)")>]
[<InlineData("t^(-beta/(2+beta)) * t^(beta/(2+beta))", "1")>]
[<InlineData("(2*x+2)/(4*x^2 - 4)", "1/(2*(x - 1))")>]
[<InlineData("1/(x*(x+1)) - 1/x + 1/(x+1)", "0")>]
[<InlineData("(x*y^2*z + x^2*y*z)/(x*y*z)", "x + y")>]
[<InlineData("(nu*beta)/(2*nu + nu*beta + 1)", "beta*nu/(1 + 2*nu + beta*nu)")>]
let ``rational normalization`` (input: string, expected: string) =
    Assert.Equal(expected, Print.plain (Rational.simplify (Parser.parse input)))

[<Theory>]
[<InlineData("(beta^2 + 2*beta)/(beta*(2+beta))", "1")>]
[<InlineData("1/(2*(h+1))", "1/(2 + 2*h)")>]
[<InlineData("beta/(2+beta) - 1", "-2/(2 + beta)")>]
[<InlineData("(x+y)^2", "x^2 + 2*x*y + y^2")>]
let ``equality is equality after simplification`` (a: string, b: string) =
    Assert.True(Rational.equal (Parser.parse a) (Parser.parse b))

[<Fact>]
let ``different expressions are not equal`` () =
    Assert.False(Rational.equal (Parser.parse "beta/(2+beta)") (Parser.parse "beta/(1+nu+nu*beta)"))

[<Fact>]
let ``polynomial gcd cancels a common multivariate factor`` () =
    let x, y = Poly.variable 2 0, Poly.variable 2 1
    let common = Poly.add x (Poly.multiply y y)
    let a = Poly.multiply common (Poly.add x (Poly.one 2))
    let b = Poly.multiply common (Poly.subtract y (Poly.one 2))
    Assert.Equal(Poly.monic common, Poly.gcd a b)
    Assert.Equal(Some(Poly.add x (Poly.one 2)), Poly.tryDivide a common)
    Assert.Equal(None, Poly.tryDivide a (Poly.add y (Poly.one 2)))

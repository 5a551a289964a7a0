module IclTheory.Symbolic.Tests.PrinterTests

open Xunit
open IclTheory.Symbolic

/// input → Unicode, LaTeX.
[<Theory>]
[<InlineData("beta/(2+beta)", "β/(2 + β)", "\\frac{\\beta}{2 + \\beta}")>]
[<InlineData("nu*beta", "β·ν", "\\beta \\nu")>]
[<InlineData("t^(-beta/(2+beta))", "1/t^(β/(2 + β))", "\\frac{1}{t^{\\frac{\\beta}{2 + \\beta}}}")>]
[<InlineData("5*beta/(5*beta+2)", "5·β/(2 + 5·β)", "\\frac{5 \\beta}{2 + 5 \\beta}")>]
[<InlineData("1/(2*(h+1))", "1/(2·(1 + h))", "\\frac{1}{2 \\left(1 + h\\right)}")>]
[<InlineData("ln(x)", "ln(x)", "\\ln\\left(x\\right)")>]
[<InlineData("exp(-x)", "exp(−x)", "\\exp\\left(-x\\right)")>]
[<InlineData("-x^2", "−x²", "-x^{2}")>]
[<InlineData("x^2*y^3", "x²·y³", "x^{2} y^{3}")>]
[<InlineData("(x+1)^(1/2)", "(1 + x)^(1/2)", "\\left(1 + x\\right)^{\\frac{1}{2}}")>]
[<InlineData("x^(1/2)*y/(3*z^2)", "x^(1/2)·y/(3·z²)", "\\frac{x^{\\frac{1}{2}} y}{3 z^{2}}")>]
[<InlineData("1 - 3*x/2", "1 − 3·x/2", "1 - \\frac{3 x}{2}")>]
[<InlineData("(1/2)^x", "(1/2)^x", "\\left(\\frac{1}{2}\\right)^{x}")>]
[<InlineData("-(a+b)", "−(a + b)", "-\\left(a + b\\right)")>]
[<InlineData("x^(a+b)", "x^(a + b)", "x^{a + b}")>]
[<InlineData("gamma^(-beta-1)*kappa*tau*sigma*omega*lambda*eta*alpha",
             "α·η·γ^(−β − 1)·κ·λ·ω·σ·τ",
             "\\alpha \\eta \\gamma^{-\\beta - 1} \\kappa \\lambda \\omega \\sigma \\tau")>]
[<InlineData("2*3^x", "2·3^x", "2 \\cdot 3^{x}")>]
[<InlineData("x^12", "x¹²", "x^{12}")>]
[<InlineData("c_t/t", "c_t/t", "\\frac{c_t}{t}")>]
[<InlineData("x - 2", "x − 2", "x - 2")>]
[<InlineData("undefined", "undefined", "\\mathrm{undefined}")>]
[<InlineData("x/0", "∞̃", "\\tilde{\\infty}")>]
[<InlineData("width*N", "N·width", "N \\mathrm{width}")>]
let ``unicode and latex`` (input: string, unicode: string, latex: string) =
    let e = Parser.parse input
    Assert.Equal(unicode, Print.unicode e)
    Assert.Equal(latex, Print.latex e)

/// input → plain (which the parser reads back).
[<Theory>]
[<InlineData("-(1+beta)", "-(1 + beta)")>]
[<InlineData("x^(-1/2)", "1/x^(1/2)")>]
[<InlineData("(-2)^(1/2)", "(-2)^(1/2)")>]
[<InlineData("-3/x", "-3/x")>]
[<InlineData("x*exp(y)/(2*ln(z))", "x*exp(y)/(2*ln(z))")>]
[<InlineData("(a+b)*(c+d)", "(a + b)*(c + d)")>]
[<InlineData("(x^2)^(y/2)", "(x^2)^(y/2)")>]
let ``plain`` (input: string, expected: string) =
    let e = Parser.parse input
    Assert.Equal(expected, Print.plain e)
    Assert.Equal(e, Parser.parse (Print.plain e))

[<Fact>]
let ``the layout pulls signs out and moves negative powers into a denominator`` () =
    let layout = Layout.ofExpr Inline (Parser.parse "-2*x/y")

    let expected =
        LNegate(LFraction(LProduct [ LNumber(System.Numerics.BigInteger 2); LName "x" ], LName "y"))

    Assert.Equal(expected, layout)

module IclTheory.Symbolic.Tests.ParserTests

open Xunit
open IclTheory.Symbolic

/// input → parsed, printed plainly (precedence: ^ > unary − > * / > + −, ^ right-associative).
[<Theory>]
[<InlineData("-x^2", "-x^2")>]
[<InlineData("2^3^2", "512")>]
[<InlineData("(2^3)^2", "64")>]
[<InlineData("-2^2", "-4")>]
[<InlineData("2*3+4", "10")>]
[<InlineData("2+3*4", "14")>]
[<InlineData("8/4/2", "1")>]
[<InlineData("2^-1", "1/2")>]
[<InlineData("x^-y", "1/x^y")>]
[<InlineData("t^(-beta/(2+beta))", "1/t^(beta/(2 + beta))")>]
[<InlineData("5*beta/(5*beta+2)", "5*beta/(2 + 5*beta)")>]
[<InlineData("1/(2*(h+1))", "1/(2*(1 + h))")>]
[<InlineData("0.25*x", "x/4")>]
[<InlineData("β*ν", "beta*nu")>]
[<InlineData("sqrt(x)", "x^(1/2)")>]
[<InlineData("--x", "x")>]
[<InlineData("2 - -x", "2 + x")>]
[<InlineData(" x  *  y ", "x*y")>]
[<InlineData("log(x)", "ln(x)")>]
[<InlineData("-x*y", "-x*y")>]
[<InlineData("x^y^z", "x^(y^z)")>]
[<InlineData("nu*beta", "beta*nu")>]
[<InlineData("beta/(2+beta)", "beta/(2 + beta)")>]
[<InlineData("exp(-x)", "exp(-x)")>]
[<InlineData("ln(x)", "ln(x)")>]
[<InlineData("1.5", "3/2")>]
[<InlineData("c_t*t", "c_t*t")>]
[<InlineData("β·ν − 1", "beta*nu - 1")>]
let ``parse`` (input: string, expected: string) =
    Assert.Equal(expected, Print.plain (Parser.parse input))

/// input → error message with position (1-based column) and what was expected.
[<Theory>]
[<InlineData("x +", "at column 4: expected a number, a name or '(' but found end of input")>]
[<InlineData("(x", "at column 3: expected ')' or an operator but found end of input")>]
[<InlineData("foo(x)", "at column 1: expected a known function (exp, ln, log, sqrt) before '(' but found 'f'")>]
[<InlineData("x y", "at column 3: expected an operator or end of input but found 'y'")>]
[<InlineData("2*", "at column 3: expected a number, a name or '(' but found end of input")>]
[<InlineData(")", "at column 1: expected a number, a name or '(' but found ')'")>]
[<InlineData("x^", "at column 3: expected a number, a name or '(' but found end of input")>]
[<InlineData("ln(x", "at column 5: expected ')' or an operator but found end of input")>]
[<InlineData("", "at column 1: expected a number, a name or '(' but found end of input")>]
[<InlineData("2 $ 3", "at column 3: expected an operator or end of input but found '$'")>]
[<InlineData("x*/y", "at column 3: expected a number, a name or '(' but found '/'")>]
[<InlineData("ln x", "at column 4: expected an operator or end of input but found 'x'")>]
let ``parse errors`` (input: string, expected: string) =
    match Parser.tryParse input with
    | Error e -> Assert.Equal(expected, string e)
    | Ok e -> Assert.Fail(sprintf "expected an error, parsed %O" e)

[<Fact>]
let ``parse raises ParseException carrying the position`` () =
    let ex = Assert.Throws<ParseException>(fun () -> Parser.parse "(x" |> ignore)
    Assert.Equal(2, ex.Data0.Position)

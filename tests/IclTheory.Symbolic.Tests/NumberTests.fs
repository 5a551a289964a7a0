module IclTheory.Symbolic.Tests.NumberTests

open System
open System.Numerics
open Xunit
open IclTheory.Symbolic

[<Theory>]
[<InlineData(2, 4, "1/2")>]
[<InlineData(-2, 4, "-1/2")>]
[<InlineData(2, -4, "-1/2")>]
[<InlineData(-2, -4, "1/2")>]
[<InlineData(0, -7, "0")>]
[<InlineData(12, 3, "4")>]
let ``rationals are normalized with the sign in the numerator`` (n: int, d: int, expected: string) =
    Assert.Equal(expected, (Q.ofInts n d).ToString())

[<Fact>]
let ``a zero denominator is refused with a clear error`` () =
    let ex = Assert.Throws<DivideByZeroException>(fun () -> Q.ofInts 3 0 |> ignore)
    Assert.Contains("zero denominator", ex.Message)

[<Fact>]
let ``division by a zero rational is refused`` () =
    let ex = Assert.Throws<DivideByZeroException>(fun () -> Q.one / Q.zero |> ignore)
    Assert.Contains("by zero", ex.Message)

[<Fact>]
let ``arithmetic is exact`` () =
    Assert.Equal(Q.ofInts 5 6, Q.ofInts 1 2 + Q.ofInts 1 3)
    Assert.Equal(Q.ofInts 1 6, Q.ofInts 1 2 - Q.ofInts 1 3)
    Assert.Equal(Q.ofInts 9 4, Q.Pow(Q.ofInts 2 3, -2))
    Assert.True(Q.compare (Q.ofInts 1 3) (Q.ofInts 1 2) < 0)

[<Fact>]
let ``huge rationals convert to floats without overflow`` () =
    let big = BigInteger.Pow(BigInteger 10, 400)
    Assert.Equal(0.5, (Q.create big (big * BigInteger 2)).ToFloat(), 15)

[<Theory>]
[<InlineData(4, 9, 2, "2/3")>]
[<InlineData(27, 8, 3, "3/2")>]
let ``exact roots are found`` (n: int, d: int, k: int, expected: string) =
    Assert.Equal(Some expected, Q.tryRoot k (Q.ofInts n d) |> Option.map string)

[<Fact>]
let ``inexact roots are not invented`` () =
    Assert.Equal(None, Q.tryRoot 2 (Q.ofInt 2))

/// Lowest terms agree on both sides of the machine-integer fast path (bit length 62): the same
/// ratio scaled by 2^40 and by 2^80 reduces to the same rational, and the sign moves up.
[<Theory>]
[<InlineData(6L, 4L, "3/2")>]
[<InlineData(6L, -4L, "-3/2")>]
[<InlineData(0L, -7L, "0")>]
[<InlineData(-9L, -3L, "3")>]
let ``Q.create reduces alike for machine-sized and big operands`` (n: int64, d: int64, expected: string) =
    let scaled (k: int) =
        let f = System.Numerics.BigInteger.Pow(System.Numerics.BigInteger 2, k)
        Q.create (System.Numerics.BigInteger n * f) (System.Numerics.BigInteger d * f)

    Assert.Equal(expected, (Q.create (System.Numerics.BigInteger n) (System.Numerics.BigInteger d)).ToString())
    Assert.Equal(expected, (scaled 40).ToString())
    Assert.Equal(expected, (scaled 80).ToString())

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

/// Integers around the edges of the machine-integer representation (2³¹, 2⁶², 2⁶³) and beyond it.
let private edgeInteger: FsCheck.Gen<BigInteger> =
    let two = BigInteger 2

    FsCheck.FSharp.Gen.oneof
        [
            FsCheck.FSharp.Gen.choose (-7, 7) |> FsCheck.FSharp.Gen.map BigInteger
            FsCheck.FSharp.Gen.map2
                (fun (e: int) (k: int) -> BigInteger.Pow(two, e) + BigInteger k)
                (FsCheck.FSharp.Gen.elements [ 31; 32; 61; 62; 63; 64; 80 ])
                (FsCheck.FSharp.Gen.choose (-3, 3))
            FsCheck.FSharp.Gen.map2
                (fun (e: int) (k: int) -> -(BigInteger.Pow(two, e) + BigInteger k))
                (FsCheck.FSharp.Gen.elements [ 31; 32; 61; 62; 63; 64; 80 ])
                (FsCheck.FSharp.Gen.choose (-3, 3))
        ]

let private edgeRational: FsCheck.Gen<BigInteger * BigInteger> =
    FsCheck.FSharp.Gen.map2
        (fun n (d: BigInteger) -> n, (if d.IsZero then BigInteger.One else BigInteger.Abs d))
        edgeInteger
        edgeInteger

/// n/d in lowest terms as text, computed on BigIntegers alone: the reference for Q's arithmetic.
let private reference (n: BigInteger) (d: BigInteger) =
    let g = BigInteger.GreatestCommonDivisor(n, d)
    let s = if d.Sign < 0 then BigInteger.MinusOne else BigInteger.One
    let n, d = s * n / g, s * d / g

    if d.IsOne then
        n.ToString()
    else
        n.ToString() + "/" + d.ToString()

/// Machine-integer arithmetic with overflow detection against BigInteger arithmetic: the sum,
/// difference, product and quotient print as the reference does, results equal to a value made
/// directly are equal to it and hash alike (one representation per value), and the order agrees.
[<FsCheck.Xunit.Property(MaxTest = 1000, Replay = "(20251124,1442695040888963407)")>]
let ``rational arithmetic agrees with BigInteger arithmetic across the machine-integer edge`` () =
    FsCheck.FSharp.Prop.forAll
        (FsCheck.FSharp.Arb.fromGen (FsCheck.FSharp.Gen.zip edgeRational edgeRational))
        (fun ((an, ad), (bn, bd)) ->
            let a, b = Q.create an ad, Q.create bn bd

            let agrees (q: Q) (n: BigInteger) (d: BigInteger) =
                let direct = Q.create n d

                q.ToString() = reference n d
                && q.Equals direct
                && q.GetHashCode() = direct.GetHashCode()

            agrees (a + b) (an * bd + bn * ad) (ad * bd)
            && agrees (a - b) (an * bd - bn * ad) (ad * bd)
            && agrees (a * b) (an * bn) (ad * bd)
            && (bn.IsZero || agrees (a / b) (an * bd) (ad * bn))
            && agrees (-a) (-an) ad
            && sign (Q.compare a b) = (an * bd).CompareTo(bn * ad)
            && (a.ToFloat() = float an / float ad
                || abs (a.ToFloat() - float an / float ad) <= 1e-15 * abs (float an / float ad)))

/// −2⁶³ fits an int64 but its negation does not: it is held in BigIntegers however it is reached,
/// so products, sums and negations that land on it equal the value made directly.
[<Fact>]
let ``minus two to the 63 has one representation`` () =
    let p k = BigInteger.Pow(BigInteger 2, k)
    let direct = Q.create (-(p 63)) BigInteger.One
    let product = Q.ofBig (p 31) * Q.ofBig (-(p 32))
    let sum = Q.ofBig (-(p 62)) + Q.ofBig (-(p 62))
    // Equals itself (Assert.Equal would compare through IComparable, blind to the representation)
    Assert.True(direct.Equals product)
    Assert.True(direct.Equals sum)
    Assert.Equal(direct.GetHashCode(), product.GetHashCode())
    Assert.Equal(direct.GetHashCode(), sum.GetHashCode())
    Assert.True((Q.ofBig (p 63)).Equals(-product))
    Assert.Equal("-9223372036854775808", product.ToString())

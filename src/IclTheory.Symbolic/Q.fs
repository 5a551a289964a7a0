namespace IclTheory.Symbolic

open System
open System.Numerics

/// An exact rational number n/d on BigInteger. Invariant: d > 0 and gcd(|n|, d) = 1, so the
/// sign lives in the numerator and structural equality is numeric equality.
[<Sealed; AllowNullLiteral(false)>]
type Q private (n: BigInteger, d: BigInteger) =
    member _.Numerator = n
    member _.Denominator = d

    /// n/d in lowest terms; a zero denominator is refused.
    static member Create(num: BigInteger, den: BigInteger) =
        if den.IsZero then
            raise (DivideByZeroException(sprintf "Q: the rational %O/0 has a zero denominator" num))

        if num.GetBitLength() <= 62L && den.GetBitLength() <= 62L then
            // machine integers: the same lowest terms without BigInteger division
            let n, d = int64 num, int64 den
            let g = Q.Gcd(abs n, abs d)
            let s = if d < 0L then -1L else 1L
            Q(BigInteger(s * n / g), BigInteger(s * d / g))
        else
            let g = BigInteger.GreatestCommonDivisor(num, den)
            let s = if den.Sign < 0 then BigInteger.MinusOne else BigInteger.One
            Q(s * num / g, s * den / g)

    /// Euclid's gcd of non-negative machine integers, not both zero.
    static member private Gcd(a: int64, b: int64) =
        let mutable a = a
        let mutable b = b

        while b <> 0L do
            let r = a % b
            a <- b
            b <- r

        a

    static member OfInt(k: int) = Q(BigInteger k, BigInteger.One)
    static member OfBig(k: BigInteger) = Q(k, BigInteger.One)
    static member Zero = Q.OfInt 0
    static member One = Q.OfInt 1
    member _.IsZero = n.IsZero
    member _.IsOne = n.IsOne && d.IsOne
    member _.IsInteger = d.IsOne
    member _.Sign = n.Sign

    // Fast paths (zero, one, integers) skip the gcd; the results are already in lowest terms.
    static member (+)(a: Q, b: Q) =
        if a.IsZero then
            b
        elif b.IsZero then
            a
        elif a.IsInteger && b.IsInteger then
            Q(a.Numerator + b.Numerator, BigInteger.One)
        else
            Q.Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator)

    static member (-)(a: Q, b: Q) =
        if b.IsZero then
            a
        elif a.IsInteger && b.IsInteger then
            Q(a.Numerator - b.Numerator, BigInteger.One)
        else
            Q.Create(a.Numerator * b.Denominator - b.Numerator * a.Denominator, a.Denominator * b.Denominator)

    static member (*)(a: Q, b: Q) =
        if a.IsOne then
            b
        elif b.IsOne then
            a
        elif a.IsInteger && b.IsInteger then
            Q(a.Numerator * b.Numerator, BigInteger.One)
        else
            Q.Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator)

    static member (/)(a: Q, b: Q) =
        if b.IsZero then
            raise (DivideByZeroException(sprintf "Q: division of %O by zero" a))

        Q.Create(a.Numerator * b.Denominator, a.Denominator * b.Numerator)

    static member (~-)(a: Q) = Q(-a.Numerator, a.Denominator)

    /// a^k for an integer k; 0^k with k < 0 is refused.
    static member Pow(a: Q, k: int) =
        if k >= 0 then
            Q(BigInteger.Pow(a.Numerator, k), BigInteger.Pow(a.Denominator, k))
        else if a.IsZero then
            raise (DivideByZeroException "Q: zero raised to a negative power")
        else
            Q.Create(BigInteger.Pow(a.Denominator, -k), BigInteger.Pow(a.Numerator, -k))

    member _.ToFloat() =
        if d.IsOne then
            float n
        else
            // scale so that huge numerators and denominators do not overflow to ∞/∞
            let bits = max 0L (max (n.GetBitLength()) (d.GetBitLength()) - 1000L)
            let shift = int bits
            float (n >>> shift) / float (d >>> shift)

    override _.Equals(o: obj) =
        match o with
        | :? Q as q -> n = q.Numerator && d = q.Denominator
        | _ -> false

    override _.GetHashCode() = HashCode.Combine(n, d)

    override _.ToString() =
        if d.IsOne then n.ToString() else sprintf "%O/%O" n d

    interface IComparable with
        member this.CompareTo(o: obj) =
            match o with
            | :? Q as q ->
                if d = q.Denominator then
                    BigInteger.Compare(n, q.Numerator) // common denominator (integers): no products
                else
                    BigInteger.Compare(n * q.Denominator, q.Numerator * d)
            | _ -> invalidArg "o" "Q can only be compared with Q"

/// Functions on exact rationals.
module Q =
    let ofInt (k: int) = Q.OfInt k
    let ofBig (k: BigInteger) = Q.OfBig k
    let create (n: BigInteger) (d: BigInteger) = Q.Create(n, d)
    let ofInts (n: int) (d: int) = Q.Create(BigInteger n, BigInteger d)
    let zero = Q.Zero
    let one = Q.One
    let compare (a: Q) (b: Q) = (a :> IComparable).CompareTo b
    let abs (a: Q) = if a.Sign < 0 then -a else a
    let inverse (a: Q) = Q.One / a

    /// The largest magnitude that `tryInt` reads as an int: the `Integer` pattern matches no larger
    /// integer, so a power with a larger exponent is read as a kernel, not as structure.
    [<Literal>]
    let LargestInt = 100000

    /// The integer value when the rational is an integer of magnitude at most `LargestInt`.
    let tryInt (a: Q) =
        if a.IsInteger && BigInteger.Abs a.Numerator <= BigInteger LargestInt then
            Some(int a.Numerator)
        else
            None

    /// The exact k-th root of a non-negative integer, when it exists.
    let private tryRootBig (k: int) (x: BigInteger) =
        if x.Sign < 0 then
            None
        elif x.IsZero || x.IsOne then
            Some x
        else
            let guess = BigInteger(Math.Round(Math.Pow(float x, 1.0 / float k)))

            [ guess - BigInteger.One; guess; guess + BigInteger.One ]
            |> List.tryFind (fun r -> r.Sign >= 0 && BigInteger.Pow(r, k) = x)

    /// The exact positive k-th root of a non-negative rational, when it exists (k ≥ 1).
    let tryRoot (k: int) (a: Q) =
        if
            a.Sign < 0
            || a.Numerator.GetBitLength() > 1000L
            || a.Denominator.GetBitLength() > 1000L
        then
            None
        else
            match tryRootBig k a.Numerator, tryRootBig k a.Denominator with
            | Some n, Some d -> Some(Q.Create(n, d))
            | _ -> None

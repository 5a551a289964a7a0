namespace IclTheory.Symbolic

open System
open System.Numerics

/// The numerator and denominator of a rational that machine integers cannot hold.
[<Sealed; AllowNullLiteral>]
type internal BigParts(n: BigInteger, d: BigInteger) =
    member _.N = n
    member _.D = d

/// An exact rational number n/d. Invariant: d > 0 and gcd(|n|, d) = 1, so the sign lives in the
/// numerator and structural equality is numeric equality. A rational whose numerator and
/// denominator both lie within ±(2⁶³ − 1) is held in two machine integers (`big` null), any other
/// in BigIntegers; the choice is a function of the value, so equal rationals have equal fields.
/// Arithmetic on machine integers detects overflow and then redoes the operation on BigIntegers.
[<Sealed; AllowNullLiteral(false)>]
type Q private (n: int64, d: int64, big: BigParts) =
    static let zero = Q(0L, 1L, null)
    static let one = Q(1L, 1L, null)
    static let smallest = BigInteger(-Int64.MaxValue)
    static let largest = BigInteger Int64.MaxValue

    /// The integers from −64 to 64, made once (immutable: sharing them saves an allocation per use).
    static let smallIntegers = Array.init 129 (fun k -> Q(int64 (k - 64), 1L, null))

    member _.Numerator = if isNull big then BigInteger n else big.N
    member _.Denominator = if isNull big then BigInteger d else big.D

    /// Whether the value is held in machine integers (then `N64`/`D64` are its parts).
    member internal _.IsSmall = isNull big
    member internal _.N64 = n
    member internal _.D64 = d

    /// A rational from coprime parts with den > 0, in machine integers when both fit.
    static member private OfReduced(num: BigInteger, den: BigInteger) =
        // BigInteger.Compare, not F#'s generic comparison (which boxes both operands)
        if
            BigInteger.Compare(num, smallest) >= 0
            && BigInteger.Compare(num, largest) <= 0
            && BigInteger.Compare(den, largest) <= 0
        then
            Q(int64 num, int64 den, null)
        else
            Q(0L, 0L, BigParts(num, den))

    /// n/d in lowest terms; a zero denominator is refused.
    static member Create(num: BigInteger, den: BigInteger) =
        if den.IsZero then
            raise (DivideByZeroException(sprintf "Q: the rational %O/0 has a zero denominator" num))

        if num.GetBitLength() <= 62L && den.GetBitLength() <= 62L then
            // machine integers: the same lowest terms without BigInteger division
            Q.OfMachine(int64 num, int64 den)
        else
            let g = BigInteger.GreatestCommonDivisor(num, den)
            let s = if den.Sign < 0 then BigInteger.MinusOne else BigInteger.One
            Q.OfReduced(s * num / g, s * den / g)

    /// n/d in lowest terms for machine integers with |n|, |d| < 2⁶² and d ≠ 0.
    static member private OfMachine(num: int64, den: int64) =
        let g = Q.Gcd(abs num, abs den)
        let s = if den < 0L then -1L else 1L
        Q(s * num / g, s * den / g, null)

    /// Euclid's gcd of non-negative machine integers, not both zero.
    static member private Gcd(a: int64, b: int64) =
        let mutable a = a
        let mutable b = b

        while b <> 0L do
            let r = a % b
            a <- b
            b <- r

        a

    /// a·b into r; false when the product leaves ±(2⁶³ − 1).
    static member private TryMultiply(a: int64, b: int64, r: byref<int64>) =
        let mutable low = 0L
        let high = Math.BigMul(a, b, &low)
        r <- low
        high = (low >>> 63) && low <> Int64.MinValue

    /// a + b into r; false when the sum leaves ±(2⁶³ − 1).
    static member private TryAdd(a: int64, b: int64, r: byref<int64>) =
        let s = a + b
        r <- s
        ((a ^^^ s) &&& (b ^^^ s)) >= 0L && s <> Int64.MinValue

    /// The integer k when the operation that computed it did not overflow.
    static member private IntegerIf(fits: bool, k: int64) =
        if fits then ValueSome(Q(k, 1L, null)) else ValueNone

    /// a/b + c/e in machine integers (Knuth's form: with g = gcd(b, e), t = a·(e/g) + c·(b/g) and
    /// g₂ = gcd(t, g), the sum is (t/g₂)/((b/g)·(e/g₂)) in lowest terms); None on overflow.
    static member private TryAddSmall(a: int64, b: int64, c: int64, e: int64) : Q voption =
        let mutable t = 0L
        let mutable x = 0L
        let mutable y = 0L

        if b = 1L && e = 1L then
            Q.IntegerIf(Q.TryAdd(a, c, &t), t)
        else
            let g = Q.Gcd(b, e)

            if Q.TryMultiply(a, e / g, &x) && Q.TryMultiply(c, b / g, &y) && Q.TryAdd(x, y, &t) then
                if t = 0L then
                    ValueSome zero
                else
                    let g2 = Q.Gcd(abs t, g)
                    let mutable den = 0L

                    if Q.TryMultiply(b / g, e / g2, &den) then
                        ValueSome(Q(t / g2, den, null))
                    else
                        ValueNone
            else
                ValueNone

    /// (a/b)·(c/e) in machine integers, cancelled crosswise first (gcd(a, e), gcd(c, b)), so the
    /// product is in lowest terms; None on overflow.
    static member private TryMultiplySmall(a: int64, b: int64, c: int64, e: int64) : Q voption =
        let mutable num = 0L
        let mutable den = 0L

        if b = 1L && e = 1L then
            Q.IntegerIf(Q.TryMultiply(a, c, &num), num)
        else
            let g1 = Q.Gcd(abs a, e)
            let g2 = Q.Gcd(abs c, b)

            if Q.TryMultiply(a / g1, c / g2, &num) && Q.TryMultiply(b / g2, e / g1, &den) then
                ValueSome(Q(num, den, null))
            else
                ValueNone

    /// The product (or the sum) in machine integers, when both operands are held in them and it
    /// does not overflow.
    static member private OnMachine(x: Q, y: Q, product: bool) =
        if not (x.IsSmall && y.IsSmall) then
            ValueNone
        elif product then
            Q.TryMultiplySmall(x.N64, x.D64, y.N64, y.D64)
        else
            Q.TryAddSmall(x.N64, x.D64, y.N64, y.D64)

    static member OfInt(k: int) =
        if k >= -64 && k <= 64 then
            smallIntegers.[k + 64]
        else
            Q(int64 k, 1L, null)

    static member OfBig(k: BigInteger) = Q.OfReduced(k, BigInteger.One)
    static member Zero = zero
    static member One = one
    member _.IsZero = isNull big && n = 0L
    member _.IsOne = isNull big && n = 1L && d = 1L
    member _.IsInteger = if isNull big then d = 1L else big.D.IsOne
    member _.Sign = if isNull big then sign n else big.N.Sign

    // Fast paths (zero, one, machine integers) skip the BigIntegers; the results are in lowest terms.
    static member (+)(a: Q, b: Q) =
        if a.IsZero then
            b
        elif b.IsZero then
            a
        else
            match Q.OnMachine(a, b, false) with
            | ValueSome q -> q
            | ValueNone ->
                Q.Create(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator)

    static member (-)(a: Q, b: Q) = a + -b

    static member (*)(a: Q, b: Q) =
        if a.IsOne then
            b
        elif b.IsOne then
            a
        elif a.IsZero || b.IsZero then
            zero
        else
            match Q.OnMachine(a, b, true) with
            | ValueSome q -> q
            | ValueNone -> Q.Create(a.Numerator * b.Numerator, a.Denominator * b.Denominator)

    static member (/)(a: Q, b: Q) =
        if b.IsZero then
            raise (DivideByZeroException(sprintf "Q: division of %O by zero" a))

        a * Q.Reciprocal b

    /// 1/b for b ≠ 0, the sign moved to the numerator.
    static member private Reciprocal(b: Q) =
        if b.IsSmall then
            if b.N64 < 0L then
                Q(-b.D64, -b.N64, null)
            else
                Q(b.D64, b.N64, null)
        elif b.Sign < 0 then
            Q.OfReduced(-b.Denominator, -b.Numerator)
        else
            Q.OfReduced(b.Denominator, b.Numerator)

    static member (~-)(a: Q) =
        if a.IsSmall then
            Q(-a.N64, a.D64, null)
        else
            Q.OfReduced(-a.Numerator, a.Denominator)

    /// a^k for an integer k; 0^k with k < 0 is refused.
    static member Pow(a: Q, k: int) =
        if k >= 0 then
            Q.OfReduced(BigInteger.Pow(a.Numerator, k), BigInteger.Pow(a.Denominator, k))
        else if a.IsZero then
            raise (DivideByZeroException "Q: zero raised to a negative power")
        else
            Q.Create(BigInteger.Pow(a.Denominator, -k), BigInteger.Pow(a.Numerator, -k))

    /// Machine integers of magnitude at most 2⁵³ convert to doubles exactly.
    static member private ExactInDouble(x: int64) = x >= -(1L <<< 53) && x <= (1L <<< 53)

    member this.ToFloat() =
        if isNull big && Q.ExactInDouble n && Q.ExactInDouble d then
            float n / float d
        else
            let n, d = this.Numerator, this.Denominator

            if d.IsOne then
                float n
            else
                // scale so that huge numerators and denominators do not overflow to ∞/∞
                let bits = max 0L (max (n.GetBitLength()) (d.GetBitLength()) - 1000L)
                let shift = int bits
                float (n >>> shift) / float (d >>> shift)

    override _.Equals(o: obj) =
        match o with
        | :? Q as q ->
            if isNull big then
                q.IsSmall && n = q.N64 && d = q.D64
            else
                not q.IsSmall && big.N = q.Numerator && big.D = q.Denominator
        | _ -> false

    override _.GetHashCode() =
        if isNull big then
            HashCode.Combine(n, d)
        else
            HashCode.Combine(big.N, big.D)

    override this.ToString() =
        if isNull big then
            if d = 1L then
                n.ToString()
            else
                n.ToString() + "/" + d.ToString()
        elif big.D.IsOne then
            big.N.ToString()
        else
            big.N.ToString() + "/" + big.D.ToString()

    interface IComparable with
        member this.CompareTo(o: obj) =
            match o with
            | :? Q as q ->
                if this.IsSmall && q.IsSmall && d = q.D64 then
                    compare n q.N64 // a common denominator (integers): no products
                else
                    BigInteger.Compare(this.Numerator * q.Denominator, q.Numerator * this.Denominator)
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
        if a.IsSmall && a.D64 = 1L && Math.Abs a.N64 <= int64 LargestInt then
            Some(int a.N64)
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

/// An independent high-precision evaluation of the ISO landscape (Eq. 83) for finite L and
/// rational α = a/b, σ² = sn/sd: ℒ is a polynomial in s = γ/L whose coefficients are exact
/// integers built from Marchenko–Pastur moments (Narayana polynomials, by their three-term
/// recurrence) and binomials; it is evaluated at dyadic s in fixed point with P fractional
/// bits (integer parts exact), so the only error is ≤ 2L·2^-P absolute in the scaled sum.
/// Shares no code with the solver's quadrature.
module IclTheory.Solver.Tests.ExactIso

open System.Numerics

/// M_k = m_k·a^(k-1) (integers) for k = 1..kmax, with m_k the k-th moment at q = 1/α = b/a:
/// (k+1) M_k = (2k-1)(a+b) M_(k-1) - (k-2)(a-b)² M_(k-2), M_1 = 1, M_2 = a + b.
let scaledMoments (a: BigInteger) (b: BigInteger) (kmax: int) =
    let m = Array.create (kmax + 1) BigInteger.Zero
    m[1] <- BigInteger.One

    if kmax >= 2 then
        m[2] <- a + b

    for k in 3..kmax do
        let numerator =
            BigInteger(2 * k - 1) * (a + b) * m[k - 1]
            - BigInteger(k - 2) * (a - b) * (a - b) * m[k - 2]

        m[k] <- numerator / BigInteger(k + 1)

    m

/// The same M_k from the Narayana sum m_k = Σ_r C(k,r)C(k-1,r)/(r+1) q^r (for checking the
/// recurrence on small k).
let scaledMomentByNarayana (a: BigInteger) (b: BigInteger) (k: int) =
    let binomial (n: int) (r: int) =
        let mutable acc = BigInteger.One

        for i in 1..r do
            acc <- acc * BigInteger(n - r + i) / BigInteger(i)

        acc

    seq {
        for r in 0 .. k - 1 ->
            binomial k r * binomial (k - 1) r / BigInteger(r + 1)
            * BigInteger.Pow(b, r)
            * BigInteger.Pow(a, k - 1 - r)
    }
    |> Seq.fold (+) BigInteger.Zero

/// ℒ(s) = (1/Den)·Σ_k Num_k s^k exactly: Num_k = (-1)^k [C(2L,k) sd m_k + (C(2L,k) - 2C(L,k))
/// sn (b/a) m_(k-1)]·a^(2L) (noise term for k ≥ 1), Den = sd·a^(2L). The noise term uses
/// (1/λ)(1 - (1-x)^L)² = (1/λ)Σ_(k≥1)(C(2L,k) - 2C(L,k))(-x)^k.
type Polynomial = { Num: BigInteger[]; Den: BigInteger }

let lossPolynomial (a: int) (b: int) (sn: int) (sd: int) (depth: int) =
    let a = BigInteger a
    let b = BigInteger b
    let sn = BigInteger sn
    let sd = BigInteger sd
    let n = 2 * depth
    let m = scaledMoments a b n
    let powA = Array.init (n + 2) (fun j -> BigInteger.Pow(a, j))
    let c2 = Array.create (n + 1) BigInteger.One
    let c1 = Array.create (n + 1) BigInteger.Zero
    c1[0] <- BigInteger.One

    for k in 1..n do
        c2[k] <- c2[k - 1] * BigInteger(n - k + 1) / BigInteger(k)

        if k <= depth then
            c1[k] <- c1[k - 1] * BigInteger(depth - k + 1) / BigInteger(k)

    // m_k·a^(2L) = M_k·a^(2L-k+1) (k ≥ 1), m_0·a^(2L) = a^(2L).
    let momentTimesA2L k =
        if k = 0 then powA[n] else m[k] * powA[n - k + 1]

    let num =
        Array.init (n + 1) (fun k ->
            let signal = c2[k] * sd * momentTimesA2L k

            let noise =
                if k = 0 then
                    BigInteger.Zero
                else
                    // sn·(b/a)·m_(k-1)·a^(2L) = sn·b·(m_(k-1)·a^(2L))/a
                    (c2[k] - BigInteger(2) * c1[k]) * sn * b * momentTimesA2L (k - 1) / a

            if k % 2 = 0 then signal + noise else -(signal + noise))

    { Num = num; Den = sd * powA[n] }

/// Σ_k coefficients[k]·s^k at s = S/2^P, returned as an integer scaled by 2^P (Horner with
/// truncating shifts).
let evaluateScaled (coefficients: BigInteger[]) (s: BigInteger) (bits: int) =
    let mutable acc = coefficients[coefficients.Length - 1] <<< bits

    for k in coefficients.Length - 2 .. -1 .. 0 do
        acc <- ((acc * s) >>> bits) + (coefficients[k] <<< bits)

    acc

/// Coefficients of dℒ/ds (same denominator).
let derivativeCoefficients (poly: Polynomial) =
    Array.init (poly.Num.Length - 1) (fun k -> BigInteger(k + 1) * poly.Num[k + 1])

/// ln of a positive scaled integer value v/2^P/den, through a 64-bit quotient (BigInteger.Log
/// of numbers with thousands of bits would lose ~1e-13 absolute).
let logValue (scaled: BigInteger) (bits: int) (den: BigInteger) =
    let denominator = den <<< bits
    let shift = 64 - int (scaled.GetBitLength() - denominator.GetBitLength())

    let quotient =
        if shift >= 0 then
            (scaled <<< shift) / denominator
        else
            scaled / (denominator <<< -shift)

    log (float quotient) - float shift * log 2.0

/// The exact minimizer near a given s₀: the sign of dℒ/ds is checked at s₀(1 ∓ w) for
/// w = 1e-6, 1e-5, …, 1e-1 until it goes from - to +, then bisected on dyadic s until the
/// bracket is below 1e-15·s₀. Returns (s*, ln ℒ(s*)).
let minimizerNear (poly: Polynomial) (s0: float) (bits: int) =
    let derivative = derivativeCoefficients poly
    // Exact: x·2^k is an integer for k = 60 - ilogb(x).
    let toFixed (x: float) =
        let k = 60 - System.Math.ILogB x
        BigInteger(System.Math.ScaleB(x, k)) <<< (bits - k)

    let sign s = (evaluateScaled derivative s bits).Sign

    let rec widen (w: float) =
        if w > 0.5 then
            failwithf "no sign change of the exact derivative around s0 = %g" s0

        let lo = toFixed (s0 * (1.0 - w))
        let hi = toFixed (s0 * (1.0 + w))

        if sign lo < 0 && sign hi > 0 then
            lo, hi
        else
            widen (10.0 * w)

    let lo0, hi0 = widen 1e-6
    let tolerance = toFixed (s0 * 1e-15)

    let rec bisect (lo: BigInteger) (hi: BigInteger) =
        if hi - lo <= tolerance then
            lo, hi
        else
            let mid = (lo + hi) >>> 1
            if sign mid < 0 then bisect mid hi else bisect lo mid

    let lo, hi = bisect lo0 hi0
    let mid = (lo + hi) >>> 1
    let sStar = System.Math.ScaleB(float (mid >>> (bits - 100)), -100)
    sStar, logValue (evaluateScaled poly.Num mid bits) bits poly.Den

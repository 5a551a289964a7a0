namespace IclTheory.Symbolic

open System.Numerics
open IclTheory.Symbolic.Patterns

/// Rational-function normalization, an explicit opt-in pass: an expression is read as a ratio
/// of polynomials over ℚ in its kernels (symbols, ln, exp, powers with non-integer exponents),
/// put over one common denominator, and common polynomial factors are cancelled. The result is
/// c·N/(D₁^k₁⋯Dₘ^kₘ): N expanded with coprime integer coefficients, the denominator kept as the
/// product of the input's denominator factors that survive cancellation (as Together does).
module Rational =

    /// How a node is read: structure (sum, product, integer power, number) or a kernel,
    /// possibly inverted (x^(-a) is 1/x^a, exp(-u) is 1/exp(u)).
    type private Shape =
        | Structure
        | Kernel of Expr
        | InvertedKernel of Expr

    let private shape (e: Expr) =
        match e with
        | Number _
        | Sum _
        | Product _
        | Power(_, Integer _) -> Structure
        | Power(b, (NegativeTerm as x)) -> InvertedKernel(Expr.power b (Expr.negate x))
        | Exp(NegativeTerm as u) -> InvertedKernel(Expr.exp (Expr.negate u))
        | _ -> Kernel e

    let rec private collectKernels (acc: Expr list) (e: Expr) : Expr list =
        match shape e with
        | Structure -> Expr.children e |> List.fold collectKernels acc
        | Kernel k
        | InvertedKernel k -> if List.contains k acc then acc else k :: acc

    let private lcm (a: BigInteger) (b: BigInteger) =
        a / BigInteger.GreatestCommonDivisor(a, b) * b

    /// p = f·p' with p' having coprime integer coefficients and a positive leading coefficient.
    let private integerize (p: Poly) : Q * Poly =
        let coefficients = p.Terms |> Map.values |> List.ofSeq

        let dens =
            coefficients
            |> List.fold (fun acc (c: Q) -> lcm acc c.Denominator) BigInteger.One

        let nums =
            coefficients
            |> List.fold (fun acc (c: Q) -> BigInteger.GreatestCommonDivisor(acc, c.Numerator)) BigInteger.Zero

        let s =
            if (snd (Poly.leading p)).Sign < 0 then
                BigInteger.MinusOne
            else
                BigInteger.One

        let f = Q.create (s * nums) dens
        f, Poly.scale (Q.inverse f) p

    /// Numerator / Π factor^multiplicity, with every factor a non-constant primitive integer
    /// polynomial. Keeping the denominator factored keeps the gcds small (gcd(big, small)).
    type private Fraction = { Num: Poly; Den: (Poly * int) list }

    let private multiplicity (f: Poly) (den: (Poly * int) list) =
        den
        |> List.tryFind (fun (g, _) -> g = f)
        |> Option.map snd
        |> Option.defaultValue 0

    let private mergeDen (combine: int -> int -> int) (a: (Poly * int) list) (b: (Poly * int) list) =
        let factors = (a @ b) |> List.map fst |> List.distinct
        factors |> List.map (fun f -> f, combine (multiplicity f a) (multiplicity f b))

    let private expandDen (vars: int) (den: (Poly * int) list) =
        den
        |> List.fold (fun acc (f, k) -> Poly.multiply acc (Poly.pow f k)) (Poly.one vars)

    /// 1/(c·f) as a fraction: the constant moves to the numerator.
    let private inverseOf (p: Poly) (k: int) : Fraction =
        let c, f = integerize p

        if Poly.isConstant f then
            {
                Num = Poly.constant p.Vars (Q.Pow(Q.inverse c, k))
                Den = []
            }
        else
            {
                Num = Poly.constant p.Vars (Q.Pow(Q.inverse c, k))
                Den = [ f, k ]
            }

    let private addFractions (a: Fraction) (b: Fraction) : Fraction =
        let den = mergeDen max a.Den b.Den

        let lift (x: Fraction) =
            den
            |> List.fold (fun acc (f, k) -> Poly.multiply acc (Poly.pow f (k - multiplicity f x.Den))) x.Num

        {
            Num = Poly.add (lift a) (lift b)
            Den = den
        }

    let private multiplyFractions (a: Fraction) (b: Fraction) : Fraction =
        {
            Num = Poly.multiply a.Num b.Num
            Den = mergeDen (+) a.Den b.Den |> List.filter (fun (_, k) -> k > 0)
        }

    /// Numerator and factored denominator; None when a denominator vanishes identically.
    let rec private toFraction (kernels: Expr list) (e: Expr) : Fraction option =
        let n = List.length kernels

        let var k =
            Poly.variable n (List.findIndex ((=) k) kernels)

        let whole p = { Num = p; Den = [] }

        let combine f (xs: Expr list) start =
            xs
            |> List.fold (fun acc x -> Option.map2 f acc (toFraction kernels x)) (Some start)

        match e, shape e with
        | Number q, _ -> Some(whole (Poly.constant n q))
        | Sum xs, _ -> combine addFractions xs (whole (Poly.zero n))
        | Product xs, _ -> combine multiplyFractions xs (whole (Poly.one n))
        | Power(b, Integer k), _ ->
            toFraction kernels b
            |> Option.bind (fun fb ->
                if k >= 0 then
                    Some
                        {
                            Num = Poly.pow fb.Num k
                            Den = fb.Den |> List.map (fun (f, m) -> f, m * k)
                        }
                elif Poly.isZero fb.Num then
                    None
                else
                    let inverted = inverseOf fb.Num (-k)
                    let lifted = expandDen n (fb.Den |> List.map (fun (f, m) -> f, m * (-k)))

                    Some
                        { inverted with
                            Num = Poly.multiply inverted.Num lifted
                        })
        | _, InvertedKernel k -> Some { Num = Poly.one n; Den = [ var k, 1 ] }
        | _, Kernel k -> Some(whole (var k))
        | _, Structure -> None

    /// Cancel gcd(numerator, factor) for every copy of every denominator factor.
    let private cancel (fraction: Fraction) : Fraction =
        let folder (num: Poly, den: (Poly * int) list) (f: Poly, k: int) =
            let rec strip num copies remaining =
                if copies = 0 then
                    num, remaining
                else
                    let g = Poly.gcd num f

                    if Poly.isConstant g then
                        num, remaining @ [ f, copies ]
                    else
                        let num = Poly.tryDivide num g |> Option.defaultValue num
                        let rest = Poly.tryDivide f g |> Option.defaultValue f

                        if Poly.isConstant rest then
                            // f = c·g: the constant c stays in the denominator, so move 1/c up
                            strip (Poly.scale (Q.inverse (snd (Poly.leading rest))) num) (copies - 1) remaining
                        else
                            strip num (copies - 1) (remaining @ [ rest, 1 ])

            let num, kept = strip num k []
            num, den @ kept

        let num, den = fraction.Den |> List.fold folder (fraction.Num, [])
        let den = den |> List.fold (fun acc (f, k) -> mergeDen (+) acc [ f, k ]) []

        let normalized =
            den
            |> List.fold
                (fun (c: Q, fs) (f, k) ->
                    let cf, f = integerize f
                    c / Q.Pow(cf, k), fs @ [ f, k ])
                (Q.one, [])

        {
            Num = Poly.scale (fst normalized) num
            Den = snd normalized
        }

    let private toExpr (kernels: Expr list) (p: Poly) : Expr =
        p.Terms
        |> Seq.map (fun (KeyValue(m, c)) ->
            Expr.multiply (Number c :: List.map2 (fun k e -> Expr.power k (Expr.integer e)) kernels m))
        |> List.ofSeq
        |> Expr.add

    /// One normalization of the top rational layer: common (factored) denominator, cancel common
    /// factors, primitive integer numerator and denominator factors, rational factor in front.
    let private normalizeLayer (e: Expr) : Expr =
        let kernels = collectKernels [] e |> List.sortWith Expr.order

        match toFraction kernels e |> Option.map cancel with
        | None -> e
        | Some f when Poly.isZero f.Num -> Expr.zero
        | Some f ->
            let c, num = integerize f.Num

            Expr.multiply (
                Number c
                :: toExpr kernels num
                :: (f.Den
                    |> List.map (fun (d, k) -> Expr.power (toExpr kernels d) (Expr.integer -k)))
            )

    /// Simplify the insides of kernels (arguments of ln/exp, bases and exponents of non-integer powers).
    let rec private simplifyKernels (step: Expr -> Expr) (e: Expr) : Expr =
        match shape e with
        | Structure -> Expr.rebuild e (Expr.children e |> List.map (simplifyKernels step))
        | Kernel _
        | InvertedKernel _ -> Expr.rebuild e (Expr.children e |> List.map step)

    let rec private normalizeOnce (e: Expr) : Expr =
        normalizeLayer (simplifyKernels normalizeOnce e)

    /// One pass of rational normalization, bottom-up through kernels. Not always a fixed point:
    /// rebuilding may merge kernels (x^(1/2)·x^(1/2) = x), so prefer `simplify`.
    let normalize (e: Expr) : Expr = normalizeOnce e

    /// Rational normalization iterated to a fixed point (at most 12 passes), so `simplify` is idempotent
    /// on every input where the passes converge. Examples: (β² + 2β)/(β(2+β)) → 1; ν·β/(ν+νβ+1) stays.
    let simplify (e: Expr) : Expr =
        let rec loop k (e: Expr) =
            let next = normalizeOnce e
            if next = e || k = 0 then next else loop (k - 1) next

        loop 12 e

    /// Equality of canonical forms after simplification: a = b when simplify(a − b) = 0.
    let equal (a: Expr) (b: Expr) : bool =
        let sa, sb = simplify a, simplify b
        sa = sb || simplify (Expr.subtract sa sb) = Expr.zero

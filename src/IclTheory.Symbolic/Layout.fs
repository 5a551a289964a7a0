namespace IclTheory.Symbolic

open System.Numerics
open IclTheory.Symbolic.Patterns

/// The presentation tree between an expression and its text: signs pulled out of terms,
/// negative powers moved into denominators, parentheses made explicit.
type Layout =
    /// A non-negative integer literal.
    | LNumber of BigInteger
    /// A symbol name (printers map Greek names).
    | LName of string
    /// The first term, then (is subtraction, term) for the others.
    | LSum of Layout * (bool * Layout) list
    /// Explicit multiplication of at least two factors.
    | LProduct of Layout list
    /// numerator / denominator.
    | LFraction of Layout * Layout
    /// base ^ exponent.
    | LPower of Layout * Layout
    /// Unary minus.
    | LNegate of Layout
    /// A named function applied to one argument.
    | LFunction of string * Layout
    /// Explicit parentheses.
    | LParen of Layout
    | LUndefined
    | LInfinity

/// How fractions are shown: inline with '/' (plain, Unicode), or stacked (LaTeX \frac).
type FractionStyle =
    | Inline
    | Stacked

module Layout =

    /// Binding strength of a layout node as it would print: sum 1, unary minus 2,
    /// product and fraction 3, power 4, atom 5.
    let private precedence (l: Layout) =
        match l with
        | LSum _ -> 1
        | LNegate _ -> 2
        | LProduct _ -> 3
        | LFraction _ -> 3
        | LPower _ -> 4
        | LNumber _
        | LName _
        | LFunction _
        | LParen _
        | LUndefined
        | LInfinity -> 5

    let private parenBelow (level: int) (l: Layout) =
        if precedence l < level then LParen l else l

    let private ofNumber (q: Q) =
        let magnitude =
            if q.IsInteger then
                LNumber(BigInteger.Abs q.Numerator)
            else
                LFraction(LNumber(BigInteger.Abs q.Numerator), LNumber q.Denominator)

        if q.Sign < 0 then LNegate magnitude else magnitude

    let rec private ofExprIn (style: FractionStyle) (e: Expr) : Layout =
        match e with
        | Number q -> ofNumber q
        | Symbol s -> LName s
        | Undefined -> LUndefined
        | ComplexInfinity -> LInfinity
        | Ln x -> LFunction("ln", ofExprIn style x)
        | Exp x -> LFunction("exp", ofExprIn style x)
        | Sum terms -> ofSum style terms
        | Product _
        | Power _ -> ofProduct style e

    and private ofSum (style: FractionStyle) (terms: Expr list) =
        let signed (t: Expr) =
            match t with
            | NegativeTerm -> true, parenBelow 2 (ofExprIn style (Expr.negate t))
            | _ -> false, parenBelow 2 (ofExprIn style t)

        // a negative constant reads better last: x − 2 rather than −2 + x
        let ordered =
            match terms with
            | (Number q as c) :: rest when q.Sign < 0 && not rest.IsEmpty -> rest @ [ c ]
            | _ -> terms

        match List.map signed ordered with
        | (firstNegative, first) :: rest -> LSum((if firstNegative then LNegate first else first), rest)
        | [] -> LNumber BigInteger.Zero

    /// c · (numerator factors) / (denominator factors), with the sign of c in front.
    and private ofProduct (style: FractionStyle) (e: Expr) =
        let c, rest = Expr.splitCoefficient e

        let factors =
            match rest with
            | Product fs -> fs
            | One -> []
            | f -> [ f ]

        let inDenominator, inNumerator =
            factors
            |> List.partition (fun f ->
                match f with
                | Reciprocal _ -> true
                | _ -> false)

        let flipped =
            inDenominator
            |> List.map (fun f ->
                match f with
                | Reciprocal(b, x) -> Expr.power b x
                | _ -> f)

        let assemble (coefficient: BigInteger) (fs: Expr list) =
            let literal =
                if coefficient.IsOne && not fs.IsEmpty then
                    []
                else
                    [ LNumber coefficient ]

            match literal @ (fs |> List.map (ofFactor style)) with
            | [ p ] -> p
            | ps -> LProduct(ps |> List.map (parenBelow 4))

        let numerator = assemble (BigInteger.Abs c.Numerator) inNumerator

        let body =
            if flipped.IsEmpty && c.IsInteger then
                numerator
            else
                let denominator = assemble c.Denominator flipped

                match style with
                | Inline -> LFraction(parenBelow 3 numerator, parenBelow 4 denominator)
                | Stacked -> LFraction(numerator, denominator)

        if c.Sign < 0 then LNegate(parenBelow 3 body) else body

    /// A factor of a product: a power or an atom (parentheses added by the caller when needed).
    and private ofFactor (style: FractionStyle) (f: Expr) =
        match f with
        | Power(b, x) -> ofPower style b x
        | _ -> ofExprIn style f

    and private ofPower (style: FractionStyle) (b: Expr) (x: Expr) =
        let baseLayout = parenBelow 5 (ofExprIn style b)

        let exponentLayout =
            match style with
            | Inline -> parenBelow 5 (ofExprIn style x)
            | Stacked -> ofExprIn style x

        LPower(baseLayout, exponentLayout)

    /// The presentation tree of an expression.
    let ofExpr (style: FractionStyle) (e: Expr) : Layout = ofExprIn style e

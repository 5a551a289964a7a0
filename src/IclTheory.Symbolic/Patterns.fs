namespace IclTheory.Symbolic

/// Active patterns that make rewrite rules read like the mathematics.
module Patterns =

    /// The number 0.
    let (|Zero|_|) (e: Expr) =
        match e with
        | Number q when q.IsZero -> Some()
        | _ -> None

    /// The number 1.
    let (|One|_|) (e: Expr) =
        match e with
        | Number q when q.IsOne -> Some()
        | _ -> None

    /// An integer of magnitude at most `Q.LargestInt`.
    let (|Integer|_|) (e: Expr) =
        match e with
        | Number q -> Q.tryInt q
        | _ -> None

    /// A power with a positive integer exponent: x^n, n ≥ 1 (x itself counts as x^1).
    let (|PosIntPower|_|) (e: Expr) =
        match e with
        | Power(b, Integer n) when n > 0 -> Some(b, n)
        | _ -> None

    /// A term whose rational coefficient is negative: -x, -3·x·y, -2.
    let (|NegativeTerm|_|) (e: Expr) =
        let c, _ = Expr.splitCoefficient e
        if c.Sign < 0 then Some() else None

    /// A factor that belongs in a denominator: x^(-n), x^(-a·b) (negative numeric coefficient in the exponent).
    let (|Reciprocal|_|) (e: Expr) =
        match e with
        | Power(b, (NegativeTerm as x)) -> Some(b, Expr.negate x)
        | _ -> None

    /// Read c·x^a off a canonical expression, for a named variable x: c and a do not depend on x.
    /// A sum matches only when it does not depend on x at all (then a = 0).
    let (|PowerLaw|_|) (x: string) (e: Expr) : (Expr * Expr) option =
        let factorPower (f: Expr) =
            match f with
            | Symbol s when s = x -> Some(Expr.one, Expr.one)
            | Power(Symbol s, a) when s = x && not (Expr.dependsOn x a) -> Some(Expr.one, a)
            | _ when not (Expr.dependsOn x f) -> Some(f, Expr.zero)
            | _ -> None

        let factors =
            match e with
            | Product fs -> fs
            | _ -> [ e ]

        let parts = factors |> List.map factorPower

        if parts |> List.forall Option.isSome then
            let parts = parts |> List.choose id
            Some(Expr.multiply (List.map fst parts), Expr.add (List.map snd parts))
        else
            None

namespace IclTheory.Symbolic

/// Substitution and symbolic differentiation.
module Calculus =

    /// Replace every occurrence of the named symbol by a value, re-canonicalizing bottom-up.
    let substitute (name: string) (value: Expr) (e: Expr) : Expr =
        e
        |> Expr.mapBottomUp (fun node ->
            match node with
            | Symbol s when s = name -> value
            | _ -> node)

    /// Simultaneous substitution of several symbols.
    let substituteMany (values: Map<string, Expr>) (e: Expr) : Expr =
        e
        |> Expr.mapBottomUp (fun node ->
            match node with
            | Symbol s when values.ContainsKey s -> values.[s]
            | _ -> node)

    /// ∂e/∂x by the sum, product and chain rules.
    let rec differentiate (x: string) (e: Expr) : Expr =
        if not (Expr.dependsOn x e) then
            Expr.zero
        else
            match e with
            | Symbol _ -> Expr.one // the only symbol e can depend on is x itself
            | Sum terms -> terms |> List.map (differentiate x) |> Expr.add // (u + v)' = u' + v'
            | Product factors -> productRule x factors
            | Power(u, v) when not (Expr.dependsOn x v) ->
                Expr.multiply [ v; Expr.power u (Expr.subtract v Expr.one); differentiate x u ] // (u^c)' = c·u^(c−1)·u'
            | Power(u, v) ->
                // (u^v)' = u^v·(v'·ln u + v·u'/u)
                Expr.multiply
                    [
                        e
                        Expr.add
                            [
                                Expr.multiply [ differentiate x v; Expr.ln u ]
                                Expr.multiply [ v; differentiate x u; Expr.reciprocal u ]
                            ]
                    ]
            | Ln u -> Expr.multiply [ differentiate x u; Expr.reciprocal u ] // (ln u)' = u'/u
            | Exp u -> Expr.multiply [ e; differentiate x u ] // (exp u)' = exp(u)·u'
            | Number _
            | Undefined
            | ComplexInfinity -> Expr.zero

    /// (f₁⋯fₙ)' = Σᵢ f₁⋯fᵢ'⋯fₙ
    and private productRule (x: string) (factors: Expr list) =
        factors
        |> List.mapi (fun i f ->
            let others =
                factors |> List.indexed |> List.filter (fun (j, _) -> j <> i) |> List.map snd

            Expr.multiply (differentiate x f :: others))
        |> Expr.add

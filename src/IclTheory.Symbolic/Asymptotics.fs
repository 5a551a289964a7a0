namespace IclTheory.Symbolic

open IclTheory.Symbolic.Patterns

/// How two sides of a condition relate.
type Relation =
    | Less
    | Equal
    | NotEqual

/// A condition Left (relation) Right between exponent expressions. Conditions are decided under
/// the paper's standing assumption that every symbol (ν, β, t, N, L, P, ...) is positive.
type Condition =
    {
        Left: Expr
        Relation: Relation
        Right: Expr
    }

    override c.ToString() =
        let op =
            match c.Relation with
            | Less -> " < "
            | Equal -> " = "
            | NotEqual -> " ≠ "

        Print.plain c.Left + op + Print.plain c.Right

/// Whether a condition holds.
type Verdict =
    | Holds
    | Fails
    | Undecided

/// A power law quantity ~ Variable^Exponent, with the conditions under which it holds.
type Asymptotic =
    {
        Variable: string
        Exponent: Expr
        Conditions: Condition list
        Regime: string
    }

    override a.ToString() =
        let conditions = a.Conditions |> List.map string

        sprintf
            "~ %s^(%s) [%s] when %s"
            a.Variable
            (Print.plain a.Exponent)
            a.Regime
            (if conditions.IsEmpty then
                 "always"
             else
                 System.String.Join(" and ", conditions))

/// Why an asymptotic rule does not apply.
type AsymptoticError =
    /// A condition of the rule is false (decided under positive symbols).
    | ConditionFails of Condition * rule: string
    /// A condition could not be decided from positivity of the symbols alone.
    | ConditionUndecided of Condition * rule: string
    /// The input is outside the rule's scope (for example p = 1 in a power-law flow).
    | OutOfScope of reason: string

    override e.ToString() =
        match e with
        | ConditionFails(c, rule) -> sprintf "%s: the condition %O fails" rule c
        | ConditionUndecided(c, rule) -> sprintf "%s: the condition %O cannot be decided" rule c
        | OutOfScope reason -> reason

exception AsymptoticException of AsymptoticError

/// Conditions and their decision under positive symbols.
module Condition =

    let less (a: Expr) (b: Expr) =
        { Left = a; Relation = Less; Right = b }

    let equal (a: Expr) (b: Expr) =
        {
            Left = a
            Relation = Equal
            Right = b
        }

    let notEqual (a: Expr) (b: Expr) =
        {
            Left = a
            Relation = NotEqual
            Right = b
        }

    let positive (a: Expr) = less Expr.zero a

    /// The sign of an expression when every symbol is positive: Some -1/0/+1, or None if unknown.
    let rec signOf (e: Expr) : int option =
        match e with
        | Number q -> Some q.Sign
        | Symbol _
        | Exp _ -> Some 1
        | Product fs -> fs |> List.fold (fun acc f -> Option.map2 (*) acc (signOf f)) (Some 1)
        | Power(b, x) ->
            match signOf b, x with
            | Some 1, _ -> Some 1
            | Some 0, Integer n when n < 0 -> None
            | Some s, Integer n -> Some(pown s n)
            | _ -> None
        | Sum terms ->
            match terms |> List.map signOf |> List.distinct with
            | [ Some s ] -> Some s
            | _ -> None
        | Ln(Number q) -> Some(Q.compare q Q.one)
        | Ln _
        | Undefined
        | ComplexInfinity -> None

    /// The sign of a difference, read after rational normalization.
    let private signOfDifference (a: Expr) (b: Expr) =
        Rational.simplify (Expr.subtract b a) |> signOf

    /// Decide a condition under the assumption that every symbol is positive.
    let decide (c: Condition) : Verdict =
        match c.Relation, signOfDifference c.Left c.Right with
        | Less, Some 1 -> Holds
        | Less, Some _ -> Fails
        | Equal, Some 0
        | NotEqual, Some(1 | -1) -> Holds
        | (Equal | NotEqual), Some _ -> Fails
        | _, None -> Undecided

    /// Decide a condition at numeric values of its symbols.
    let decideAt (values: Map<string, float>) (c: Condition) : Verdict =
        match Evaluate.tryEvaluate values c.Left, Evaluate.tryEvaluate values c.Right with
        | Ok l, Ok r ->
            let ok =
                match c.Relation with
                | Less -> l < r
                | Equal -> l = r
                | NotEqual -> l <> r

            if ok then Holds else Fails
        | _ -> Undecided

    /// Ok when every condition holds; otherwise the first failing (or, failing none, undecided) one.
    let requireAll (rule: string) (conditions: Condition list) : Result<unit, AsymptoticError> =
        let verdicts = conditions |> List.map (fun c -> c, decide c)

        match verdicts |> List.tryFind (fun (_, v) -> v = Fails) with
        | Some(c, _) -> Error(ConditionFails(c, rule))
        | None ->
            match verdicts |> List.tryFind (fun (_, v) -> v = Undecided) with
            | Some(c, _) -> Error(ConditionUndecided(c, rule))
            | None -> Ok()

/// Operations on asymptotic power laws.
module Asymptotic =

    let private orRaise (r: Result<'a, AsymptoticError>) =
        match r with
        | Ok a -> a
        | Error e -> raise (AsymptoticException e)

    /// Raise AsymptoticException on error (the `x` beside each `tryX`).
    let get (r: Result<'a, AsymptoticError>) : 'a = orRaise r

    /// Q ~ y^a and y ~ x^b give Q ~ x^(a·b), with both sets of conditions.
    let compose (outer: Asymptotic) (inner: Asymptotic) : Asymptotic =
        {
            Variable = inner.Variable
            Exponent = Rational.simplify (Expr.multiply [ outer.Exponent; inner.Exponent ])
            Conditions = List.distinct (outer.Conditions @ inner.Conditions)
            Regime = outer.Regime + " ∘ " + inner.Regime
        }

    /// Q ~ x^a with x = y^m (a change of variable) gives Q ~ y^(a·m).
    let rescale (variable: string) (m: Expr) (a: Asymptotic) : Asymptotic =
        { a with
            Variable = variable
            Exponent = Rational.simplify (Expr.multiply [ a.Exponent; m ])
        }

    /// Rewrite powers for positive bases: (x^a)^b = x^(a·b), (x·y)^b = x^b·y^b. Valid when every
    /// symbol is positive, the standing assumption of the asymptotic calculus.
    let rec expandPowersPositive (e: Expr) : Expr =
        e
        |> Expr.mapBottomUp (fun node ->
            match node with
            | Power(Power(b, a), x) -> Expr.power b (Expr.multiply [ a; x ])
            | Power(Product fs, x) when fs |> List.forall (fun f -> Condition.signOf f = Some 1) ->
                Expr.multiply (fs |> List.map (fun f -> expandPowersPositive (Expr.power f x)))
            | _ -> node)

/// How g(u) decays as u → ∞ in a capacity/source sum.
type Tail =
    /// g(u) ~ u^(−p)
    | PowerTail of p: Expr
    /// g(u) ~ e^(−u) (faster than any power)
    | ExponentialTail

/// The capacity/source sum S(x) = Σ_k k^(−a) g(k^(−b)·x) for large x, with g(u) → 1 as u → 0.
/// Instances: Eq. 89 (a = νβ+1, b = 2ν+νβ, g = 1/(1+u)), Eq. 95 and 100 (g = e^(−u)),
/// Eq. 113 and 116 (x = N^ν or P^ν, b = ν).
type CapacitySum =
    {
        Variable: string
        Decay: Expr
        Rate: Expr
        Tail: Tail
    }

/// Dominant balance of capacity/source sums. The crossover k* = x^(1/b) separates modes with
/// k^(−b)x ≫ 1 (g in its tail) from modes with g ≈ 1.
module CapacitySum =

    let private simplify = Rational.simplify

    /// Above the crossover, g ≈ 1: Σ_{k>k*} k^(−a) ~ k*^(1−a) = x^((1−a)/b), convergent when a > 1.
    let private tailExponent (s: CapacitySum) =
        simplify (Expr.divide (Expr.subtract Expr.one s.Decay) s.Rate)

    /// Below the crossover, g ~ (k^(−b)x)^(−p): x^(−p)·Σ_{k<k*} k^(bp−a); when bp − a + 1 > 0 the
    /// sum grows as k*^(bp−a+1), giving x^(−p + (bp−a+1)/b).
    let private headGrowingExponent (s: CapacitySum) (p: Expr) =
        let bp = Expr.multiply [ s.Rate; p ]

        simplify (
            Expr.add
                [
                    Expr.negate p
                    Expr.divide (Expr.add [ bp; Expr.negate s.Decay; Expr.one ]) s.Rate
                ]
        )

    let private crossoverName = "crossover-dominated (k* ~ x^(1/b))"
    let private headName = "head-dominated (small k)"
    let private marginalName = "marginal (a = 1 + b·p): x^(−p)·ln x"

    /// Every regime with its exponent and conditions; the conditions pick the one that applies.
    let regimes (s: CapacitySum) : Asymptotic list =
        let a, b = s.Decay, s.Rate
        let crossoverExponent = tailExponent s
        let baseConditions = [ Condition.positive b; Condition.less Expr.one a ]

        match s.Tail with
        | ExponentialTail ->
            [
                {
                    Variable = s.Variable
                    Exponent = crossoverExponent
                    Conditions = baseConditions
                    Regime = crossoverName
                }
            ]
        | PowerTail p ->
            let edge = Expr.add [ Expr.one; Expr.multiply [ b; p ] ]

            [
                {
                    Variable = s.Variable
                    Exponent = crossoverExponent
                    Conditions = baseConditions @ [ Condition.less a edge ]
                    Regime = crossoverName
                }
                {
                    Variable = s.Variable
                    Exponent = simplify (Expr.negate p)
                    Conditions = [ Condition.positive b; Condition.positive p; Condition.less edge a ]
                    Regime = headName
                }
                {
                    Variable = s.Variable
                    Exponent = simplify (Expr.negate p)
                    Conditions = [ Condition.positive b; Condition.positive p; Condition.equal a edge ]
                    Regime = marginalName
                }
            ]

    /// The crossover-dominated law S ~ x^(−(a−1)/b), valid for 1 < a < 1 + b·p (power tail) or a > 1
    /// (exponential tail). Both halves of the sum are computed and must agree at the balance.
    let tryCrossover (s: CapacitySum) : Result<Asymptotic, AsymptoticError> =
        let law = regimes s |> List.head

        let balanced =
            match s.Tail with
            | ExponentialTail -> Ok()
            | PowerTail p ->
                if Rational.equal (headGrowingExponent s p) law.Exponent then
                    Ok()
                else
                    Error(OutOfScope "capacity sum: head and tail exponents disagree at the crossover")

        balanced
        |> Result.bind (fun () -> Condition.requireAll ("capacity sum, " + crossoverName) law.Conditions)
        |> Result.map (fun () -> law)

    let crossover (s: CapacitySum) : Asymptotic = tryCrossover s |> Asymptotic.get

    /// The regime whose conditions all hold under positive symbols; otherwise the crossover's reason.
    let tryLeading (s: CapacitySum) : Result<Asymptotic, AsymptoticError> =
        match
            regimes s
            |> List.tryFind (fun r -> r.Conditions |> List.forall (fun c -> Condition.decide c = Holds))
        with
        | Some r -> Ok r
        | None -> tryCrossover s

    let leading (s: CapacitySum) : Asymptotic = tryLeading s |> Asymptotic.get

/// The scalar flow dγ/dt = c·γ^p (Eqs. 95–96, 21, 127).
type PowerFlow =
    {
        State: string
        Time: string
        Coefficient: Expr
        Power: Expr
    }

module PowerFlow =

    /// γ^(1−p) = γ₀^(1−p) + (1−p)·c·t, so γ ~ t^(1/(1−p)) at large t when (1−p)·c > 0
    /// (growth for c > 0, p < 1; decay for c < 0, p > 1). p = 1 is exponential, not a power law;
    /// c > 0 with p > 1 blows up in finite time, c < 0 with p < 1 reaches zero in finite time.
    let trySolve (f: PowerFlow) : Result<Asymptotic, AsymptoticError> =
        let oneMinusP = Rational.simplify (Expr.subtract Expr.one f.Power)
        let rule = "power-law flow dγ/dt = c·γ^p"

        if oneMinusP = Expr.zero then
            Error(OutOfScope(rule + ": p = 1 gives exponential growth, not a power law"))
        else
            let conditions =
                [
                    Condition.notEqual f.Power Expr.one
                    Condition.positive (Expr.multiply [ oneMinusP; f.Coefficient ])
                ]

            Condition.requireAll rule conditions
            |> Result.map (fun () ->
                {
                    Variable = f.Time
                    Exponent = Rational.simplify (Expr.reciprocal oneMinusP)
                    Conditions = conditions
                    Regime =
                        (if Condition.signOf (Rational.simplify f.Coefficient) = Some 1 then
                             "growth"
                         else
                             "decay")
                })

    let solve (f: PowerFlow) : Asymptotic = trySolve f |> Asymptotic.get

    /// Gradient flow dγ/dt = −∂ℒ/∂γ on a power-law landscape ℒ(γ) = C·γ^q: differentiate, then
    /// read c·γ^p off the derivative.
    let tryOfLoss (state: string) (time: string) (loss: Expr) : Result<PowerFlow, AsymptoticError> =
        let force =
            Calculus.differentiate state loss
            |> Expr.negate
            |> Asymptotic.expandPowersPositive
            |> Rational.simplify
            |> Asymptotic.expandPowersPositive

        match force with
        | PowerLaw state (c, p) ->
            Ok
                {
                    State = state
                    Time = time
                    Coefficient = c
                    Power = p
                }
        | _ -> Error(OutOfScope(sprintf "−∂ℒ/∂%s = %s is not a power law in %s" state (Print.plain force) state))

/// One resource of a separable loss Σ_i c_i·r_i^(−a_i) under the compute budget C = Π_i r_i^(k_i).
type Resource =
    {
        Name: string
        LossExponent: Expr
        ComputeExponent: Expr
    }

/// A compute-optimal allocation: r_i ∝ C^(e_i) and loss ∝ C^(LossExponent).
type Allocation =
    {
        Shares: (string * Expr) list
        LossExponent: Expr
        Conditions: Condition list
    }

/// Compute-optimal allocation by a Lagrange multiplier and dominant balance (Result 8, Eq. 18).
module Allocation =

    let private coefficientName (r: Resource) = "c_" + r.Name
    let private multiplier = "mu"

    /// Stationarity of F = Σ c_i r_i^(−a_i) + μ·(Σ k_i ln r_i − ln C): r_i·∂F/∂r_i = 0 balances
    /// a power of r_i against μ. Returns s_i with r_i^(s_i) ∝ μ, read off the derivative.
    let private balanceExponent (lagrangian: Expr) (r: Resource) : Result<Expr, AsymptoticError> =
        let terms =
            match Calculus.differentiate r.Name lagrangian with
            | Sum ts -> ts
            | t -> [ t ]
            |> List.map (fun t -> Expr.multiply [ Symbol r.Name; t ] |> Asymptotic.expandPowersPositive)

        let stationarity = Expr.add terms

        match terms |> List.filter (Expr.dependsOn r.Name) with
        | [ PowerLaw r.Name (_, s) ] -> Ok s
        | _ ->
            Error(
                OutOfScope(
                    sprintf
                        "allocation: r·∂F/∂r = %s does not balance one power of %s against μ"
                        (Print.plain stationarity)
                        r.Name
                )
            )

    /// The optimal shares e_i = (1/a_i)/Σ_j(k_j/a_j) and loss exponent −1/Σ_j(k_j/a_j), derived from
    /// the stationarity conditions; conditions a_i > 0, k_i > 0.
    let tryOptimal (resources: Resource list) : Result<Allocation, AsymptoticError> =
        let names = resources |> List.map (fun r -> r.Name)

        let clash =
            resources
            |> List.collect (fun r -> Expr.symbols r.LossExponent @ Expr.symbols r.ComputeExponent)
            |> List.tryFind (fun s -> List.contains s names || s = multiplier)

        match clash with
        | Some s ->
            Error(OutOfScope(sprintf "allocation: the symbol '%s' is both a resource and an exponent parameter" s))
        | None when resources.IsEmpty -> Error(OutOfScope "allocation: no resources")
        | None ->
            let conditions =
                resources
                |> List.collect (fun r -> [ Condition.positive r.LossExponent; Condition.positive r.ComputeExponent ])

            let lagrangian =
                Expr.add
                    [
                        yield!
                            resources
                            |> List.map (fun r ->
                                Expr.multiply
                                    [
                                        Symbol(coefficientName r)
                                        Expr.power (Symbol r.Name) (Expr.negate r.LossExponent)
                                    ])
                        Expr.multiply
                            [
                                Symbol multiplier
                                Expr.add
                                    [
                                        yield!
                                            resources
                                            |> List.map (fun r ->
                                                Expr.multiply [ r.ComputeExponent; Expr.ln (Symbol r.Name) ])
                                        Expr.negate (Expr.ln (Symbol "C"))
                                    ]
                            ]
                    ]

            let balances =
                resources
                |> List.fold
                    (fun acc r ->
                        Result.bind (fun xs -> balanceExponent lagrangian r |> Result.map (fun x -> xs @ [ x ])) acc)
                    (Ok [])

            match balances with
            | Error e -> Error e
            | Ok s ->
                // ln r_i = (1/s_i)·ln μ, so ln C = Σ k_i ln r_i = (Σ k_i/s_i)·ln μ
                let total =
                    List.map2 (fun (r: Resource) si -> Expr.divide r.ComputeExponent si) resources s
                    |> Expr.add

                let shares =
                    List.map2
                        (fun (r: Resource) si -> r.Name, Rational.simplify (Expr.divide (Expr.reciprocal si) total))
                        resources
                        s

                let termExponents =
                    List.map2
                        (fun (r: Resource) (_, e) ->
                            Rational.simplify (Expr.multiply [ Expr.negate r.LossExponent; e ]))
                        resources
                        shares

                let loss = List.head termExponents

                if termExponents |> List.forall (Rational.equal loss) then
                    Condition.requireAll "compute-optimal allocation" conditions
                    |> Result.map (fun () ->
                        {
                            Shares = shares
                            LossExponent = loss
                            Conditions = conditions
                        })
                else
                    Error(OutOfScope "allocation: the loss terms do not balance at the stationary point")

    let optimal (resources: Resource list) : Allocation = tryOptimal resources |> Asymptotic.get

    /// The share e_i of a named resource.
    let share (name: string) (a: Allocation) : Expr =
        a.Shares |> List.find (fun (n, _) -> n = name) |> snd

    /// r_i ∝ r_j^(e_i/e_j) along the optimal path.
    let relation (i: string) (j: string) (a: Allocation) : Expr =
        Rational.simplify (Expr.divide (share i a) (share j a))

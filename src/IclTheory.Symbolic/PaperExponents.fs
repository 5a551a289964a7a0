namespace IclTheory.Symbolic

/// How a printed exponent compares with the one the calculus derives.
type Comparison =
    /// Printed and derived exponents are equal after simplification.
    | Agrees
    /// They differ: both expressions, printed first.
    | Differs of printed: Expr * derived: Expr
    /// Only the printed form is recorded (no derivation from the rules here), with the reason.
    | PrintedOnly of reason: string
    /// A derived exponent with no printed counterpart.
    | DerivedOnly
    /// The derivation failed.
    | NotDerived of AsymptoticError

/// One exponent claim: what is printed, where, and (when possible) its derivation.
type ExponentClaim =
    {
        Id: string
        Paper: string
        Section: string
        Equation: string
        /// The scaling statement, e.g. "ℒ ~ t^(·)".
        Quantity: string
        Printed: Expr option
        Derived: Result<Asymptotic, AsymptoticError> option
        Note: string
    }

/// Every exponent claim of Bordelon, Letey & Pehlevan (and the competing paper's, as printed),
/// with derivations from the capacity-sum, flow and allocation rules.
module PaperExponents =

    let private p = Parser.parse
    let bordelon = "Bordelon, Letey & Pehlevan (arXiv:2510.01098)"
    let mehta = "Mehta & Gupta (arXiv:2511.06232)"

    /// Source/capacity sum of Eq. 88–89: a = νβ + 1 and, as printed in Eq. 89, b = 2ν + νβ.
    let fsSumAsPrinted =
        {
            Variable = "t"
            Decay = p "nu*beta + 1"
            Rate = p "2*nu + nu*beta"
            Tail = PowerTail Expr.one
        }

    /// The same sum with b read off Eqs. 87–88: ω_k λ_k³ = (ω_k λ_k)·λ_k² ~ k^(−νβ−1−2ν).
    let fsSumFromEq87 =
        { fsSumAsPrinted with
            Rate = p "2*nu + nu*beta + 1"
        }

    /// Eq. 95: Σ_k λ_k ω_k e^(−2γλ_k) with λ_k ω_k ~ k^(−νβ−1), λ_k ~ k^(−ν).
    let rrsLandscapeSum =
        {
            Variable = "gamma"
            Decay = p "nu*beta + 1"
            Rate = p "nu"
            Tail = ExponentialTail
        }

    /// Eq. 100: ∫ dk k^(−νβ−1) exp(−L k^(−ν)).
    let depthSum = { rrsLandscapeSum with Variable = "L" }

    /// Eq. 113 (last form): Σ_k k^(−νβ−1)/(1 + k^(−ν) N^ν), a sum in x = N^ν with p = 1.
    let widthSum =
        {
            Variable = "x"
            Decay = p "nu*beta + 1"
            Rate = p "nu"
            Tail = PowerTail Expr.one
        }

    /// Eq. 116: Σ_k k^(−νβ−1)/(1 + k^(−ν) P^ν)², a sum in x = P^ν with p = 2.
    let contextSum =
        { widthSum with
            Tail = PowerTail(Expr.integer 2)
        }

    /// The crossover law with its conditions listed (not required to be decidable).
    let private crossoverLaw (s: CapacitySum) = CapacitySum.regimes s |> List.head

    /// ℒ(γ) ~ γ^(−β) from Eq. 95, then gradient flow dγ/dt = −∂ℒ/∂γ (Eq. 95–96).
    let rrsGamma =
        let landscape = crossoverLaw rrsLandscapeSum
        let loss = Expr.power (Symbol "gamma") landscape.Exponent

        PowerFlow.tryOfLoss "gamma" "t" loss
        |> Result.bind PowerFlow.trySolve
        |> Result.map (fun g ->
            { g with
                Conditions = landscape.Conditions @ g.Conditions
            })

    /// Eq. 97: ℒ ~ γ^(−β) ∘ γ ~ t^(1/(2+β)).
    let rrsTime =
        rrsGamma |> Result.map (Asymptotic.compose (crossoverLaw rrsLandscapeSum))

    /// Eq. 126–127: ℒ = (w⁵)^(−β) (γ = w⁵ in the landscape of Eq. 95), flow dw/dt = −∂ℒ/∂w.
    let fullAttentionLoss = p "(w^5)^(-beta)"

    let fullAttentionW =
        PowerFlow.tryOfLoss "w" "t" fullAttentionLoss |> Result.bind PowerFlow.trySolve

    let fullAttentionTime =
        let lossInW =
            match Asymptotic.expandPowersPositive fullAttentionLoss with
            | Patterns.PowerLaw "w" (_, q) ->
                Ok
                    {
                        Variable = "w"
                        Exponent = q
                        Conditions = []
                        Regime = "ℒ(w) = (w⁵)^(−β)"
                    }
            | other -> Error(OutOfScope(sprintf "%s is not a power law in w" (Print.plain other)))

        lossInW
        |> Result.bind (fun outer -> fullAttentionW |> Result.map (Asymptotic.compose outer))

    /// Eq. 18 resources with C = t·P²·N²·L.
    let eq18Resources =
        [
            "t", "beta/(2+beta)", 1
            "N", "nu*beta", 2
            "L", "beta", 1
            "P", "nu*beta", 2
        ]
        |> List.map (fun (name, a, k) ->
            {
                Name = name
                LossExponent = p a
                ComputeExponent = Expr.integer k
            })

    /// Compute-optimal allocation for Eq. 18 (all four resources).
    let eq18Allocation = Allocation.tryOptimal eq18Resources

    /// The fixed-context variant: P held fixed, C = t·N²·L.
    let eq18AllocationFixedP =
        Allocation.tryOptimal (eq18Resources |> List.filter (fun r -> r.Name <> "P"))

    let private shapeLaw (allocation: Result<Allocation, AsymptoticError>) =
        allocation
        |> Result.map (fun a ->
            {
                Variable = "N"
                Exponent = Allocation.relation "L" "N" a
                Conditions = a.Conditions
                Regime = "compute-optimal L ∝ N^(e_L/e_N)"
            })

    /// What our model predicts for the competing paper's allocation: along the compute-optimal path
    /// of Eq. 18, r ∝ C^(e_r); with parameters N_params = L·d (d the width N), r ∝ N_params^(e_r/(e_L+e_N)).
    let private ourShapeAgainstParameters (resource: string) =
        eq18Allocation
        |> Result.map (fun a ->
            {
                Variable = "N"
                Exponent =
                    Rational.simplify (
                        Expr.divide
                            (Allocation.share resource a)
                            (Expr.add [ Allocation.share "L" a; Allocation.share "N" a ])
                    )
                Conditions = a.Conditions
                Regime = "our model, compute-optimal, against N = L·d"
            })

    let private claim id paper section equation quantity (printed: string option) derived note =
        {
            Id = id
            Paper = paper
            Section = section
            Equation = equation
            Quantity = quantity
            Printed = printed |> Option.map p
            Derived = derived
            Note = note
        }

    /// Every claim, in the order of the paper.
    let claims: ExponentClaim list =
        [
            claim
                "fs-time"
                bordelon
                "Result 4, App. D"
                "Eq. 89"
                "ℒ ~ t^(·)"
                (Some "-beta/(nu + nu*beta + 1)")
                (Some(CapacitySum.tryCrossover fsSumAsPrinted))
                "sum of Eq. 89 as printed: a = νβ+1, b = 2ν+νβ, g(u) = 1/(1+u)"
            claim
                "fs-time-eq87"
                bordelon
                "App. D"
                "Eqs. 87–88"
                "ℒ ~ t^(·)"
                (Some "-beta/(nu + nu*beta + 1)")
                (Some(CapacitySum.tryCrossover fsSumFromEq87))
                "b from Eqs. 87–88: ω_k λ_k³ ~ k^(−νβ−1−2ν), one more power than Eq. 89 prints"
            claim
                "rrs-landscape"
                bordelon
                "App. F.1"
                "Eq. 95"
                "ℒ ~ γ^(·)"
                (Some "-beta")
                (Some(CapacitySum.tryCrossover rrsLandscapeSum))
                "Σ k^(−νβ−1) e^(−2γ k^(−ν)), exponential tail"
            claim
                "rrs-gamma"
                bordelon
                "App. F.1"
                "Eq. 96"
                "γ ~ t^(·)"
                (Some "1/(beta + 2)")
                (Some rrsGamma)
                "gradient flow on ℒ(γ) = γ^(−β)"
            claim
                "rrs-time"
                bordelon
                "Result 8, App. F.1"
                "Eqs. 18, 97"
                "ℒ ~ t^(·)"
                (Some "-beta/(2 + beta)")
                (Some rrsTime)
                "ℒ ~ γ^(−β) composed with γ ~ t^(1/(2+β))"
            claim
                "depth"
                bordelon
                "Result 8, App. F.2"
                "Eqs. 18, 100"
                "ℒ ~ L^(·)"
                (Some "-beta")
                (Some(CapacitySum.tryCrossover depthSum))
                "∫ k^(−νβ−1) exp(−L k^(−ν)) dk"
            claim
                "width"
                bordelon
                "Result 8, App. F.4"
                "Eqs. 18, 113"
                "ℒ ~ N^(·)"
                (Some "-nu*beta")
                (Some(Ok(crossoverLaw widthSum |> Asymptotic.rescale "N" (Symbol "nu"))))
                "sum in x = N^ν with g(u) = 1/(1+u) as in the last form of Eq. 113; needs β < 1 (else N^(−ν))"
            claim
                "context"
                bordelon
                "Result 8, App. F.4"
                "Eqs. 18, 116"
                "ℒ ~ P^(·)"
                (Some "-nu*beta")
                (Some(Ok(crossoverLaw contextSum |> Asymptotic.rescale "P" (Symbol "nu"))))
                "sum in x = P^ν with g(u) = 1/(1+u)²; needs β < 2 (else P^(−2ν))"
            claim
                "shape"
                bordelon
                "Result 8"
                "Eq. 18"
                "L ∝ N^(·) at fixed C = t·P²·N²·L"
                (Some "nu")
                (Some(shapeLaw eq18Allocation))
                "Lagrange stationarity of Σ c_i r_i^(−a_i) + μ(Σ k_i ln r_i − ln C)"
            claim
                "shape-fixed-P"
                bordelon
                "Result 8"
                "Eq. 18"
                "L ∝ N^(·) at fixed P and C = t·N²·L"
                (Some "nu")
                (Some(shapeLaw eq18AllocationFixedP))
                "as above with P held fixed"
            claim
                "compute-optimal-loss"
                bordelon
                "Result 8"
                "Eq. 18"
                "ℒ ~ C^(·) at the optimal allocation"
                None
                (Some(
                    eq18Allocation
                    |> Result.map (fun a ->
                        {
                            Variable = "C"
                            Exponent = a.LossExponent
                            Conditions = a.Conditions
                            Regime = "compute-optimal"
                        })
                ))
                "not printed in the paper; derived from the allocation"
            claim
                "full-attention-w"
                bordelon
                "Result 9, App. G.2"
                "Eq. 127"
                "w ~ t^(·)"
                (Some "5/(5*beta + 2)")
                (Some fullAttentionW)
                "flow dw/dt = −∂ℒ/∂w with ℒ = (w⁵)^(−β); the printed exponent is that of γ = w⁵"
            claim
                "full-attention-time"
                bordelon
                "Result 9, App. G.2"
                "Eqs. 22, 127"
                "ℒ ~ t^(·)"
                (Some "-5*beta/(5*beta + 2)")
                (Some fullAttentionTime)
                "ℒ ~ w^(−5β) composed with w ~ t^(1/(5β+2))"
            claim
                "mehta-alpha"
                mehta
                "Theorem 1"
                "—"
                "ε ~ N^(−α), α = ·"
                (Some "1/(2*(h + 1))")
                None
                "manifold-learning argument; not derivable from the rules here"
            claim
                "mehta-eta-L"
                mehta
                "Mechanism 1"
                "—"
                "η_eff ~ L^(·) (η_eff = Θ(1/√(Ld)))"
                (Some "-1/2")
                None
                "normalization argument; printed only"
            claim
                "mehta-eta-d"
                mehta
                "Mechanism 1"
                "—"
                "η_eff ~ d^(·) (η_eff = Θ(1/√(Ld)))"
                (Some "-1/2")
                None
                "normalization argument; printed only"
            claim
                "mehta-depth"
                mehta
                "Key results"
                "—"
                "L* ∝ N^(·), N = L·d"
                (Some "2/3")
                (Some(ourShapeAgainstParameters "L"))
                "derived: our model's compute-optimal path (Eq. 18, C = t·P²·N²·L) with width d = N and parameters L·d"
            claim
                "mehta-width"
                mehta
                "Key results"
                "—"
                "d* ∝ N^(·), N = L·d"
                (Some "1/3")
                (Some(ourShapeAgainstParameters "N"))
                "derived: our model's compute-optimal path (Eq. 18, C = t·P²·N²·L) with width d = N and parameters L·d"
        ]

    /// Compare the printed exponent with the derived one.
    let compare (c: ExponentClaim) : Comparison =
        match c.Printed, c.Derived with
        | _, Some(Error e) -> NotDerived e
        | Some printed, Some(Ok law) ->
            if Rational.equal printed law.Exponent then
                Agrees
            else
                Differs(printed, law.Exponent)
        | None, Some(Ok _) -> DerivedOnly
        | _, None -> PrintedOnly c.Note

    /// One line per claim: id, equation, printed, derived, verdict and conditions.
    let report () : string list =
        claims
        |> List.map (fun c ->
            let printed = c.Printed |> Option.map Print.unicode |> Option.defaultValue "—"

            let derived =
                match c.Derived with
                | Some(Ok law) -> Print.unicode law.Exponent
                | Some(Error e) -> sprintf "error: %O" e
                | None -> "—"

            let conditions =
                match c.Derived with
                | Some(Ok law) when not law.Conditions.IsEmpty ->
                    law.Conditions
                    |> List.map (fun cond -> sprintf "%O [%A]" cond (Condition.decide cond))
                    |> fun cs -> " when " + System.String.Join("; ", cs)
                | _ -> ""

            let verdict =
                match compare c with
                | Agrees -> "agrees"
                | Differs _ -> "DIFFERS"
                | PrintedOnly _ -> "printed only"
                | DerivedOnly -> "derived only"
                | NotDerived _ -> "not derived"

            sprintf
                "%-22s %-14s %-34s printed %-22s derived %-26s %s%s"
                c.Id
                c.Equation
                c.Quantity
                printed
                derived
                verdict
                conditions)

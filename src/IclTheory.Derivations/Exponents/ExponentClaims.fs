/// Registry nodes for the paper's scaling exponents: the printed exponent against the symbolic
/// core's derivation (IclTheory.Symbolic), evaluated at (ν, β) ∈ {(1, 1), (1, 2), (2, 0.5)}, and,
/// where the claim is a source/capacity sum, against the local slope of that sum computed term by
/// term (PowerLawSums: an independent numerical witness).
module IclTheory.Derivations.ExponentClaims

open IclTheory.Symbolic

/// The (ν, β) points of every comparison (those of the FS/RRS acceptance).
let points = [ 1.0, 1.0; 1.0, 2.0; 2.0, 0.5 ]

/// Numerical witnesses by claim id: the slope of the printed sum at (ν, β).
let private witnesses: Map<string, float -> float -> float> =
    Map.ofList
        [
            "fs-time", PowerLawSums.fsTimeAsPrinted
            "fs-time-eq87", PowerLawSums.fsTimeFromEq87
            "rrs-landscape", PowerLawSums.rrsLandscape
            "depth", PowerLawSums.depthLaw
        ]

/// The fitted exponent of claim `id` at (ν, β): the local slope of its sum as printed, where the
/// claim is a source/capacity sum (None otherwise).
let fitted (id: string) (nu: float) (beta: float) =
    witnesses.TryFind id |> Option.map (fun slope -> slope nu beta)

/// Slope tolerance: three decades at crossover index k* ≥ 10³, where the corrections to the
/// power law are O(1/k*) in the slope.
let slopeTolerance = 0.01

let private valueOf (nu: float) (beta: float) (e: Expr) =
    Evaluate.evaluate (Map.ofList [ "nu", nu; "beta", beta ]) e

let private rowsOf (c: ExponentClaim) (printed: Expr) (law: Asymptotic) =
    points
    |> List.map (fun (nu, beta) ->
        let p = valueOf nu beta printed
        let d = valueOf nu beta law.Exponent
        let label = sprintf "%s exponent at ν=%g, β=%g" c.Quantity nu beta

        match witnesses.TryFind c.Id with
        | Some slope ->
            Compare.printedVsBoth
                label
                p
                d
                (Estimate.Exact(slope nu beta))
                0.0
                slopeTolerance
                "local slope of the sum as printed, three decades at k* ≥ 10³"
        | None -> Compare.printedVsTheory label p d 1e-12 "exact expressions evaluated; no numerical witness yet")

/// A node for one exponent claim that has both a printed and a derived form.
let private node (c: ExponentClaim) (printed: Expr) (law: Asymptotic) : Claim =
    {
        Id = "exp-" + c.Id
        Title = sprintf "exponent of %s" c.Quantity
        Printed = sprintf "%s with exponent %s" c.Quantity (Print.unicode printed)
        Source =
            sprintf
                "%s%s, %s"
                (if c.Paper = PaperExponents.mehta then
                     "Mehta & Gupta, "
                 else
                     "")
                c.Section
                c.Equation
        Assumptions =
            (law.Conditions |> List.map string)
            @ [ "source/capacity conditions λ_k ~ k^(−ν), ω_kλ_k ~ k^(−νβ−1) (Eqs. 17, 88)" ]
        DependsOn = []
        Check =
            fun _ ->
                let rows = rowsOf c printed law

                {
                    Comparisons = rows
                    EngineSound = Compare.engineSound rows
                    Summary =
                        sprintf
                            "%sderived: %s (%s); %s"
                            (if c.Paper = PaperExponents.mehta then
                                 "a claim of the competing paper, held against this paper's model (theirs differs: nonlinear transformers on hierarchical tasks); "
                             else
                                 "")
                            (Print.unicode law.Exponent)
                            law.Regime
                            c.Note
                }
    }

/// The exponent claims of the paper with a derivation.
let all: Claim list =
    PaperExponents.claims
    |> List.choose (fun c ->
        match c.Printed, c.Derived with
        | Some printed, Some(Ok law) -> Some(node c printed law)
        | _ -> None)

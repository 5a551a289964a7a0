module IclTheory.Symbolic.Tests.PaperExponentsTests

open Xunit
open IclTheory.Symbolic

let private claim id =
    PaperExponents.claims |> List.find (fun c -> c.Id = id)

let private verdict id =
    match PaperExponents.compare (claim id) with
    | Agrees -> "agrees"
    | Differs _ -> "differs"
    | PrintedOnly _ -> "printed only"
    | DerivedOnly -> "derived only"
    | NotDerived _ -> "not derived"

/// claim → verdict, pinned.
[<Theory>]
[<InlineData("fs-time", "differs")>]
[<InlineData("fs-time-eq87", "differs")>]
[<InlineData("rrs-landscape", "agrees")>]
[<InlineData("rrs-gamma", "agrees")>]
[<InlineData("rrs-time", "agrees")>]
[<InlineData("depth", "agrees")>]
[<InlineData("width", "agrees")>]
[<InlineData("context", "agrees")>]
[<InlineData("shape", "agrees")>]
[<InlineData("shape-fixed-P", "agrees")>]
[<InlineData("compute-optimal-loss", "derived only")>]
[<InlineData("full-attention-w", "differs")>]
[<InlineData("full-attention-time", "agrees")>]
[<InlineData("mehta-alpha", "printed only")>]
[<InlineData("mehta-eta-L", "printed only")>]
[<InlineData("mehta-eta-d", "printed only")>]
[<InlineData("mehta-depth", "differs")>]
[<InlineData("mehta-width", "differs")>]
let ``printed against derived`` (id: string, expected: string) = Assert.Equal(expected, verdict id)

/// claim → printed exponent, derived exponent (plain text).
[<Theory>]
[<InlineData("fs-time", "-beta/(1 + nu + beta*nu)", "-beta/(2 + beta)")>]
[<InlineData("fs-time-eq87", "-beta/(1 + nu + beta*nu)", "-beta*nu/(1 + 2*nu + beta*nu)")>]
[<InlineData("rrs-gamma", "1/(2 + beta)", "1/(2 + beta)")>]
[<InlineData("rrs-time", "-beta/(2 + beta)", "-beta/(2 + beta)")>]
[<InlineData("depth", "-beta", "-beta")>]
[<InlineData("width", "-beta*nu", "-beta*nu")>]
[<InlineData("context", "-beta*nu", "-beta*nu")>]
[<InlineData("shape", "nu", "nu")>]
[<InlineData("full-attention-w", "5/(2 + 5*beta)", "1/(2 + 5*beta)")>]
[<InlineData("full-attention-time", "-5*beta/(2 + 5*beta)", "-5*beta/(2 + 5*beta)")>]
[<InlineData("mehta-depth", "2/3", "nu/(1 + nu)")>]
[<InlineData("mehta-width", "1/3", "1/(1 + nu)")>]
let ``exponents`` (id: string, printed: string, derived: string) =
    let c = claim id
    Assert.Equal(Some printed, c.Printed |> Option.map Print.plain)

    match c.Derived with
    | Some(Ok law) -> Assert.Equal(derived, Print.plain law.Exponent)
    | other -> Assert.Fail(sprintf "no derivation: %A" other)

[<Fact>]
let ``width and context laws carry the conditions beta < 1 and beta < 2`` () =
    let lastCondition id =
        match (claim id).Derived with
        | Some(Ok law) -> string (List.last law.Conditions)
        | other -> failwithf "no derivation: %A" other

    Assert.Equal("1 + beta*nu < 1 + nu", lastCondition "width")
    Assert.Equal("1 + beta*nu < 1 + 2*nu", lastCondition "context")

[<Fact>]
let ``the competing paper's printed shares add up to one`` () =
    let share id = (claim id).Printed.Value
    Assert.Equal(Expr.one, Expr.add [ share "mehta-depth"; share "mehta-width" ])
    Assert.Equal(Parser.parse "1/(2*(h+1))", share "mehta-alpha")

[<Fact>]
let ``our model's shares against N = L·d add up to one and match the competing paper only at nu = 2`` () =
    let derived id =
        match (claim id).Derived with
        | Some(Ok law) -> law.Exponent
        | other -> failwithf "no derivation: %A" other

    Assert.True(Rational.equal Expr.one (Expr.add [ derived "mehta-depth"; derived "mehta-width" ]))

    let at nu e =
        Evaluate.evaluate (Map.ofList [ "nu", nu ]) e

    Assert.Equal(2.0 / 3.0, at 2.0 (derived "mehta-depth"), 12)
    Assert.Equal(0.5, at 1.0 (derived "mehta-depth"), 12)

[<Fact>]
let ``the report has one line per claim`` () =
    Assert.Equal(PaperExponents.claims.Length, PaperExponents.report().Length)

/// Eq. 89 summed numerically at ν = 2, β = 1: the local slope in log t matches the derived
/// −β/(2+β) = −1/3, not the printed −β/(ν+νβ+1) = −1/5.
[<Fact>]
let ``Eq. 89 summed numerically follows the derived exponent`` () =
    let nu, beta = 2.0, 1.0
    let values = Map.ofList [ "nu", nu; "beta", beta ]

    let loss (t: float) =
        let kMax = 200_000
        let mutable total = 0.0

        for k in 1..kMax do
            let kf = float k
            total <- total + kf ** (-nu * beta - 1.0) / (1.0 + kf ** (-2.0 * nu - nu * beta) * t)

        total + float kMax ** (-nu * beta) / (nu * beta) // the g ≈ 1 tail beyond kMax

    let slope = (log (loss 1e18) - log (loss 1e12)) / (log 1e18 - log 1e12)

    let exponentOf id =
        Evaluate.evaluate values ((claim id).Derived.Value |> Asymptotic.get).Exponent

    let printed = Evaluate.evaluate values (claim "fs-time").Printed.Value
    Assert.Equal(-1.0 / 3.0, exponentOf "fs-time", 12)
    Assert.Equal(-0.2, printed, 12)
    Assert.InRange(slope, -1.0 / 3.0 - 0.01, -1.0 / 3.0 + 0.01)

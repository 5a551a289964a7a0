module IclTheory.Symbolic.Tests.AsymptoticsTests

open Xunit
open IclTheory.Symbolic

let private p = Parser.parse

let private assertExpr (expected: string) (actual: Expr) =
    Assert.True(Rational.equal (p expected) actual, sprintf "expected %s, got %s" expected (Print.plain actual))

let private exponentOf (r: Result<Asymptotic, AsymptoticError>) =
    match r with
    | Ok law -> law.Exponent
    | Error e -> failwithf "unexpected error: %O" e

let private sum a b tail =
    {
        Variable = "x"
        Decay = p a
        Rate = p b
        Tail = tail
    }

[<Theory>]
[<InlineData("0 < nu", "Holds")>]
[<InlineData("1 < beta", "Undecided")>]
[<InlineData("nu*beta + 1 < 1 + 2*nu + nu*beta", "Holds")>]
[<InlineData("2 < 1", "Fails")>]
[<InlineData("beta/(2+beta) < 1", "Holds")>]
let ``conditions are decided under positive symbols`` (condition: string, verdict: string) =
    let parts = condition.Split " < "
    Assert.Equal(verdict, sprintf "%A" (Condition.decide (Condition.less (p parts.[0]) (p parts.[1]))))

[<Fact>]
let ``Eq. 89 as printed: the crossover exponent is -beta/(2+beta)`` () =
    let law = CapacitySum.crossover PaperExponents.fsSumAsPrinted
    Assert.Equal("-beta/(2 + beta)", Print.plain law.Exponent)
    Assert.Equal("t", law.Variable)
    Assert.All(law.Conditions, fun c -> Assert.Equal(Holds, Condition.decide c))

[<Fact>]
let ``Eqs. 87-88: with b = 2nu + nu*beta + 1 the exponent is -nu*beta/(1 + 2nu + nu*beta)`` () =
    let law = CapacitySum.crossover PaperExponents.fsSumFromEq87
    Assert.Equal("-beta*nu/(1 + 2*nu + beta*nu)", Print.plain law.Exponent)

[<Fact>]
let ``a sum dominated by small k reports the head regime`` () =
    let s = sum "5" "1" (PowerTail Expr.one)

    match CapacitySum.tryCrossover s with
    | Error(ConditionFails(c, _)) -> Assert.Equal("5 < 2", string c)
    | other -> Assert.Fail(sprintf "expected a failed condition, got %A" other)

    let lead = CapacitySum.leading s
    Assert.Equal(p "-1", lead.Exponent)
    Assert.StartsWith("head", lead.Regime)

[<Fact>]
let ``a non-summable decay is refused`` () =
    let s = sum "1/2" "1" ExponentialTail

    match CapacitySum.tryLeading s with
    | Error(ConditionFails(c, _)) -> Assert.Equal("1 < 1/2", string c)
    | other -> Assert.Fail(sprintf "expected a failed condition, got %A" other)

    Assert.Throws<AsymptoticException>(fun () -> CapacitySum.crossover s |> ignore)
    |> ignore

[<Fact>]
let ``an undecidable condition is reported as such`` () =
    match CapacitySum.tryCrossover PaperExponents.widthSum with
    | Error(ConditionUndecided(c, _)) -> Assert.Equal("1 + beta*nu < 1 + nu", string c)
    | other -> Assert.Fail(sprintf "expected an undecided condition, got %A" other)

[<Fact>]
let ``exponential tails need only a > 1`` () =
    Assert.Equal(p "-1", exponentOf (CapacitySum.tryCrossover (sum "3" "2" ExponentialTail)))

/// Σ_k k^(−a)/(1 + k^(−b)x) summed numerically: the local slope in log x approaches −(a−1)/b.
[<Fact>]
let ``the crossover exponent matches a numerically summed capacity sum`` () =
    let a, b = 2.0, 2.0

    let s (x: float) =
        let kMax = 2_000_000
        let mutable total = 0.0

        for k in 1..kMax do
            let kf = float k
            total <- total + kf ** -a / (1.0 + kf ** -b * x)

        total + float kMax ** (1.0 - a) / (a - 1.0) // the g ≈ 1 tail beyond kMax

    let slope = (log (s 1e7) - log (s 1e5)) / (log 1e7 - log 1e5)

    let predicted =
        Evaluate.evaluate Map.empty (CapacitySum.crossover (sum "2" "2" (PowerTail Expr.one))).Exponent

    Assert.Equal(-0.5, predicted)
    Assert.InRange(slope, predicted - 0.01, predicted + 0.01)

[<Fact>]
let ``power-law flow: dgamma/dt = beta*gamma^(-beta-1) gives gamma ~ t^(1/(2+beta)) (Eq. 96)`` () =
    let flow =
        {
            State = "gamma"
            Time = "t"
            Coefficient = p "beta"
            Power = p "-beta - 1"
        }

    Assert.Equal("1/(2 + beta)", Print.plain (PowerFlow.solve flow).Exponent)

[<Fact>]
let ``the flow is read off the loss by differentiation`` () =
    match PowerFlow.tryOfLoss "gamma" "t" (p "gamma^(-beta)") with
    | Ok flow ->
        Assert.Equal(p "beta", flow.Coefficient)
        assertExpr "-1 - beta" flow.Power
    | Error e -> Assert.Fail(string e)

[<Fact>]
let ``composition gives L ~ t^(-q/(1-p))`` () =
    let loss =
        {
            Variable = "gamma"
            Exponent = p "-q"
            Conditions = []
            Regime = "landscape"
        }

    let growth =
        {
            Variable = "t"
            Exponent = p "1/(1 - p)"
            Conditions = []
            Regime = "flow"
        }

    assertExpr "-q/(1 - p)" (Asymptotic.compose loss growth).Exponent

[<Theory>]
[<InlineData("1", "1", "p = 1 gives exponential growth")>]
[<InlineData("1", "2", "fails")>]
[<InlineData("-1", "1/2", "fails")>]
let ``flows outside the power-law regime are refused`` (c: string, power: string, message: string) =
    let flow =
        {
            State = "g"
            Time = "t"
            Coefficient = p c
            Power = p power
        }

    match PowerFlow.trySolve flow with
    | Error e -> Assert.Contains(message, string e)
    | Ok law -> Assert.Fail(sprintf "expected an error, got %O" law)

[<Fact>]
let ``a decaying flow gives a negative exponent`` () =
    let flow =
        {
            State = "g"
            Time = "t"
            Coefficient = p "-1"
            Power = p "3"
        }

    let law = PowerFlow.solve flow
    Assert.Equal(p "-1/2", law.Exponent)
    Assert.Equal("decay", law.Regime)

[<Fact>]
let ``allocation for Eq. 18: every share as an exact expression`` () =
    let a = PaperExponents.eq18Allocation |> Asymptotic.get
    assertExpr "nu*(2 + beta)/(4 + 3*nu + nu*beta)" (Allocation.share "t" a)
    assertExpr "1/(4 + 3*nu + nu*beta)" (Allocation.share "N" a)
    assertExpr "nu/(4 + 3*nu + nu*beta)" (Allocation.share "L" a)
    assertExpr "1/(4 + 3*nu + nu*beta)" (Allocation.share "P" a)
    assertExpr "-nu*beta/(4 + 3*nu + nu*beta)" a.LossExponent

[<Fact>]
let ``allocation for Eq. 18 derives L ~ N^nu`` () =
    let a = PaperExponents.eq18Allocation |> Asymptotic.get
    Assert.Equal(p "nu", Allocation.relation "L" "N" a)
    // r_i ∝ r_j^(a_j/a_i): L ∝ t^(a_t/a_L)
    assertExpr "1/(2 + beta)" (Allocation.relation "L" "t" a)

[<Fact>]
let ``allocation with P fixed still derives L ~ N^nu`` () =
    let a = PaperExponents.eq18AllocationFixedP |> Asymptotic.get
    Assert.Equal(p "nu", Allocation.relation "L" "N" a)
    assertExpr "1/(2 + 3*nu + nu*beta)" (Allocation.share "N" a)

[<Fact>]
let ``allocation in general: e_i = (1/a_i)/sum_j(k_j/a_j)`` () =
    let resources =
        [
            {
                Name = "r"
                LossExponent = p "a1"
                ComputeExponent = p "k1"
            }
            {
                Name = "s"
                LossExponent = p "a2"
                ComputeExponent = p "k2"
            }
        ]

    let a = Allocation.optimal resources
    assertExpr "(1/a1)/(k1/a1 + k2/a2)" (Allocation.share "r" a)
    assertExpr "-1/(k1/a1 + k2/a2)" a.LossExponent
    assertExpr "a2/a1" (Allocation.relation "r" "s" a)

[<Fact>]
let ``allocation refuses a resource name used as a parameter`` () =
    let resources =
        [
            {
                Name = "N"
                LossExponent = p "N"
                ComputeExponent = Expr.one
            }
        ]

    match Allocation.tryOptimal resources with
    | Error(OutOfScope reason) -> Assert.Contains("'N'", reason)
    | other -> Assert.Fail(sprintf "expected a refusal, got %A" other)

[<Fact>]
let ``allocation refuses a non-positive loss exponent`` () =
    let resources =
        [
            {
                Name = "r"
                LossExponent = p "-1"
                ComputeExponent = Expr.one
            }
            {
                Name = "s"
                LossExponent = Expr.one
                ComputeExponent = Expr.one
            }
        ]

    match Allocation.tryOptimal resources with
    | Error(ConditionFails(c, _)) -> Assert.Equal("0 < -1", string c)
    | other -> Assert.Fail(sprintf "expected a failed condition, got %A" other)

/// The registry of the paper's claims: one node per claim, each holding the claim as printed,
/// the nodes it rests on, a theory evaluator, a simulation validator and a tolerance with its reason.
namespace IclTheory.Derivations

/// What a check concluded about a claim as printed.
type Verdict =
    /// The printed claim matches the engine and the simulation within the stated tolerance.
    | Agrees
    /// The printed claim is contradicted (an erratum), with both numbers.
    | Disagrees
    /// The check ran but its own basis is not sound (a dependency failed, or engine and
    /// simulation disagree with each other), so nothing is concluded about the paper.
    | Unverified
    /// The check did not run (with the reason).
    | NotChecked

    member v.Text =
        match v with
        | Agrees -> "agrees"
        | Disagrees -> "disagrees"
        | Unverified -> "unverified"
        | NotChecked -> "not-checked"

/// A value with an optional standard error (simulation values carry one).
type Estimate =
    {
        Value: float
        StdError: float option
    }

    static member Exact(x: float) = { Value = x; StdError = None }
    static member WithSe(x: float, se: float) = { Value = x; StdError = Some se }

/// One compared quantity of a node: the printed value, the engine's value, the simulation's
/// estimate, the tolerance used and why, and the row's verdict.
type Comparison =
    {
        Quantity: string
        Printed: float option
        Theory: float option
        Simulation: Estimate option
        Tolerance: string
        Verdict: Verdict
        Note: string
    }

/// Settings of one run of the registry.
type CheckSettings =
    {
        /// Smaller dimensions and fewer steps (CI); the tolerances widen with the standard errors.
        Quick: bool
        /// Root seed of every simulation in the run.
        Seed: uint64
        /// Progress lines for long work.
        Report: string -> unit
    }

/// The outcome of one node's check.
type NodeOutcome =
    {
        Comparisons: Comparison list
        /// True when the engine's theory passed its independent check (simulation or second
        /// method); nodes that depend on this one are unverified otherwise.
        EngineSound: bool
        Summary: string
    }

/// A claim of the paper (or of the competing paper) and how to check it.
type Claim =
    {
        Id: string
        Title: string
        /// The claim exactly as printed, with its formula.
        Printed: string
        /// Where it is printed: result, equation and figure numbers.
        Source: string
        Assumptions: string list
        DependsOn: string list
        /// Theory and simulation, compared; raises on failure to run.
        Check: CheckSettings -> NodeOutcome
    }

/// The reported result of one node.
type NodeResult =
    {
        Claim: Claim
        Verdict: Verdict
        Outcome: NodeOutcome option
        Reason: string
        /// True when the check raised instead of concluding (the CLI then exits non-zero).
        Errored: bool
        Seconds: float
    }

/// Runs the registry in dependency order (a DAG, QuikGraph). A node whose dependency errored or
/// whose engine was found unsound is reported unverified, never passed.
module IclTheory.Derivations.Runner

open System
open System.Diagnostics
open QuikGraph
open QuikGraph.Algorithms

/// The dependency graph: an edge d → c for each claim c that depends on d.
let graph (claims: Claim list) =
    let ids = claims |> List.map (fun c -> c.Id) |> Set.ofList
    let g = AdjacencyGraph<string, Edge<string>>()

    for c in claims do
        g.AddVertex c.Id |> ignore

    for c in claims do
        for d in c.DependsOn do
            if not (ids.Contains d) then
                invalidArg "claims" (sprintf "claim %s depends on unknown claim %s" c.Id d)

            g.AddEdge(Edge(d, c.Id)) |> ignore

    g

/// The claims in an order where every claim follows its dependencies; raises on a cycle.
let topologicalOrder (claims: Claim list) =
    let byId = claims |> List.map (fun c -> c.Id, c) |> dict
    let g = graph claims

    try
        g.TopologicalSort() |> Seq.map (fun id -> byId[id]) |> List.ofSeq
    with :? NonAcyclicGraphException ->
        invalidArg "claims" "the claims' dependencies form a cycle"

let private blockedBy (done': Collections.Generic.IDictionary<string, NodeResult>) (c: Claim) =
    c.DependsOn
    |> List.filter (fun d ->
        let r = done'[d]

        r.Errored
        || (r.Outcome |> Option.map (fun o -> not o.EngineSound) |> Option.defaultValue true))

let private runOne (settings: CheckSettings) (c: Claim) =
    let sw = Stopwatch.StartNew()

    try
        let o = c.Check settings
        let verdict = Compare.combine o.Comparisons

        {
            Claim = c
            Verdict = verdict
            Outcome = Some o
            Reason = o.Summary
            Errored = false
            Seconds = sw.Elapsed.TotalSeconds
        }
    with ex ->
        {
            Claim = c
            Verdict = NotChecked
            Outcome = None
            Reason = sprintf "could not run: %s" ex.Message
            Errored = true
            Seconds = sw.Elapsed.TotalSeconds
        }

/// Runs the claims whose id is selected (and all they depend on), in topological order.
let run (settings: CheckSettings) (claims: Claim list) =
    let results = Collections.Generic.Dictionary<string, NodeResult>()

    for c in topologicalOrder claims do
        let blockers = blockedBy results c

        let r =
            if blockers.IsEmpty then
                settings.Report(sprintf "checking %s: %s" c.Id c.Title)
                runOne settings c
            else
                {
                    Claim = c
                    Verdict = Unverified
                    Outcome = None
                    Reason = sprintf "depends on %s, whose check failed" (String.Join(", ", blockers))
                    Errored = false
                    Seconds = 0.0
                }

        results[c.Id] <- r

    claims |> List.map (fun c -> results[c.Id])

/// `icl check`: runs the registry and reports one verdict per claim.
module IclTheory.Cli.CheckCommand

open System
open System.IO
open System.Text
open System.Text.Json
open IclTheory.Derivations
open IclTheory.Cli.Output

/// The row that speaks for a node: its first unverified or disagreeing row, else its first row.
let headline (r: NodeResult) =
    r.Outcome
    |> Option.bind (fun o ->
        o.Comparisons
        |> List.tryFind (fun c -> c.Verdict = Unverified)
        |> Option.orElse (o.Comparisons |> List.tryFind (fun c -> c.Verdict = Disagrees))
        |> Option.orElse (List.tryHead o.Comparisons))

let private writeOpt (w: Utf8JsonWriter) (name: string) (x: float option) =
    match x with
    | Some v when Double.IsFinite v -> w.WriteNumber(name, v)
    | Some v -> w.WriteString(name, valueText (Num v))
    | None -> w.WriteNull name

let private writeComparison (w: Utf8JsonWriter) (c: Comparison) =
    w.WriteStartObject()
    w.WriteString("quantity", c.Quantity)
    writeOpt w "printed" c.Printed
    writeOpt w "theory" c.Theory
    writeOpt w "simulation" (c.Simulation |> Option.map (fun e -> e.Value))
    writeOpt w "simulation_se" (c.Simulation |> Option.bind (fun e -> e.StdError))
    w.WriteString("tolerance", c.Tolerance)
    w.WriteString("verdict", c.Verdict.Text)
    w.WriteString("note", c.Note)
    w.WriteEndObject()

/// JSON: an array with one object per node (id, claim as printed, source, verdict, the headline
/// numbers printed / theory / simulation, tolerance, reason, and every comparison).
let toJson (results: NodeResult list) =
    use ms = new MemoryStream()

    do
        use w =
            new Utf8JsonWriter(
                ms,
                JsonWriterOptions(Indented = true, Encoder = Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
            )

        w.WriteStartArray()

        for r in results do
            let h = headline r
            w.WriteStartObject()
            w.WriteString("id", r.Claim.Id)
            w.WriteString("title", r.Claim.Title)
            w.WriteString("claim", r.Claim.Printed)
            w.WriteString("source", r.Claim.Source)
            w.WriteString("verdict", r.Verdict.Text)
            writeOpt w "printed" (h |> Option.bind (fun c -> c.Printed))
            writeOpt w "theory" (h |> Option.bind (fun c -> c.Theory))
            writeOpt w "simulation" (h |> Option.bind (fun c -> c.Simulation |> Option.map (fun e -> e.Value)))
            writeOpt w "simulation_se" (h |> Option.bind (fun c -> c.Simulation |> Option.bind (fun e -> e.StdError)))
            w.WriteString("tolerance", h |> Option.map (fun c -> c.Tolerance) |> Option.defaultValue "")
            w.WriteString("reason", r.Reason)
            w.WriteBoolean("errored", r.Errored)
            w.WriteNumber("seconds", Math.Round(r.Seconds, 3))
            w.WriteStartArray "depends_on"

            for d in r.Claim.DependsOn do
                w.WriteStringValue d

            w.WriteEndArray()
            w.WriteStartArray "assumptions"

            for a in r.Claim.Assumptions do
                w.WriteStringValue a

            w.WriteEndArray()
            w.WriteStartArray "comparisons"

            for c in r.Outcome |> Option.map (fun o -> o.Comparisons) |> Option.defaultValue [] do
                writeComparison w c

            w.WriteEndArray()
            w.WriteEndObject()

        w.WriteEndArray()

    Encoding.UTF8.GetString(ms.ToArray())

let private optNum (x: float option) =
    x |> Option.map Num |> Option.defaultValue Null

/// One row per comparison, with the node's id and verdict (text and CSV).
let table (results: NodeResult list) =
    {
        Name = "checks"
        Columns =
            [
                "id"
                "node_verdict"
                "source"
                "quantity"
                "printed"
                "theory"
                "simulation"
                "simulation_se"
                "row_verdict"
                "note"
            ]
        Rows =
            [
                for r in results do
                    match r.Outcome with
                    | Some o when not o.Comparisons.IsEmpty ->
                        for c in o.Comparisons ->
                            [
                                Str r.Claim.Id
                                Str r.Verdict.Text
                                Str r.Claim.Source
                                Str c.Quantity
                                optNum c.Printed
                                optNum c.Theory
                                optNum (c.Simulation |> Option.map (fun e -> e.Value))
                                optNum (c.Simulation |> Option.bind (fun e -> e.StdError))
                                Str c.Verdict.Text
                                Str c.Note
                            ]
                    | _ ->
                        yield
                            [
                                Str r.Claim.Id
                                Str r.Verdict.Text
                                Str r.Claim.Source
                                Str ""
                                Null
                                Null
                                Null
                                Null
                                Str r.Verdict.Text
                                Str r.Reason
                            ]
            ]
    }

/// One row per node with its headline numbers (the text view).
let nodeTable (results: NodeResult list) =
    {
        Name = "claims"
        Columns = [ "id"; "verdict"; "printed"; "engine"; "simulation"; "se"; "note" ]
        Rows =
            [
                for r in results ->
                    let h = headline r

                    let note =
                        match h with
                        | Some c when c.Note <> "" -> c.Note
                        | _ -> r.Reason

                    [
                        Str r.Claim.Id
                        Str r.Verdict.Text
                        optNum (h |> Option.bind (fun c -> c.Printed))
                        optNum (h |> Option.bind (fun c -> c.Theory))
                        optNum (h |> Option.bind (fun c -> c.Simulation |> Option.map (fun e -> e.Value)))
                        optNum (h |> Option.bind (fun c -> c.Simulation |> Option.bind (fun e -> e.StdError)))
                        Str note
                    ]
            ]
    }

/// Counts by verdict.
let summaryFields (results: NodeResult list) =
    let count v =
        results |> List.filter (fun r -> r.Verdict = v) |> List.length

    [
        "claims", int' results.Length
        "agrees", int' (count Agrees)
        "disagrees", int' (count Disagrees)
        "unverified", int' (count Unverified)
        "not_checked", int' (count NotChecked)
        "errored", int' (results |> List.filter (fun r -> r.Errored) |> List.length)
    ]

/// A Markdown table of verdicts (for reports).
let markdown (results: NodeResult list) =
    let sb = StringBuilder()

    let esc (s: string) =
        s.Replace("|", "\\|").Replace("\n", " ")

    let cell (x: float option) =
        x |> Option.map (fun v -> Compare.fmt v) |> Option.defaultValue ""

    sb.AppendLine("| claim | source | verdict | printed | engine | simulation | note |")
    |> ignore

    sb.AppendLine("|---|---|---|---|---|---|---|") |> ignore

    for r in results do
        let h = headline r

        let sim =
            h
            |> Option.bind (fun c -> c.Simulation)
            |> Option.map (fun e ->
                match e.StdError with
                | Some se -> sprintf "%s ± %s" (Compare.fmt e.Value) (Compare.fmt se)
                | None -> Compare.fmt e.Value)
            |> Option.defaultValue ""

        let note =
            match h with
            | Some c when c.Note <> "" -> c.Note
            | _ -> r.Reason

        sb.AppendLine(
            sprintf
                "| **%s** %s | %s | %s | %s | %s | %s | %s |"
                r.Claim.Id
                (esc r.Claim.Title)
                (esc r.Claim.Source)
                r.Verdict.Text
                (cell (h |> Option.bind (fun c -> c.Printed)))
                (cell (h |> Option.bind (fun c -> c.Theory)))
                sim
                (esc note)
        )
        |> ignore

    sb.ToString()

/// Runs the selected claims with progress notes on standard error.
let runChecks (quick: bool) (seed: uint64) (only: string list) =
    let claims =
        if only.IsEmpty then
            Catalogue.all
        else
            Catalogue.select only

    let settings =
        {
            Quick = quick
            Seed = seed
            Report = Progress.note
        }

    Runner.run settings claims

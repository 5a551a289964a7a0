/// The CLI's results as data (fields and tables), rendered as text, JSON or CSV.
module IclTheory.Cli.Output

open System
open System.Globalization
open System.IO
open System.Text
open System.Text.Json

/// Output formats of every command.
type Format =
    | Text
    | Json
    | Csv

/// A scalar in a report.
type Value =
    | Num of float
    | Int of int64
    | Str of string
    | Bool of bool
    | Null

/// A named table (for example a curve) with its columns.
type Table =
    {
        Name: string
        Columns: string list
        Rows: Value list list
    }

/// A command's result: named scalar fields and named tables, in order.
type Report =
    {
        Fields: (string * Value) list
        Tables: Table list
    }

let num (x: float) = Num x
let int' (n: int) = Int(int64 n)

let private invariant = CultureInfo.InvariantCulture

/// Plain text of a value (round-trip precision for numbers).
let valueText (v: Value) =
    match v with
    | Num x when Double.IsPositiveInfinity x -> "inf"
    | Num x when Double.IsNegativeInfinity x -> "-inf"
    | Num x when Double.IsNaN x -> "nan"
    | Num x -> x.ToString("R", invariant)
    | Int n -> n.ToString(invariant)
    | Str s -> s
    | Bool b -> if b then "true" else "false"
    | Null -> ""

let private writeValue (w: Utf8JsonWriter) (v: Value) =
    match v with
    | Num x when Double.IsFinite x -> w.WriteNumberValue x
    | Num x -> w.WriteStringValue(valueText (Num x))
    | Int n -> w.WriteNumberValue n
    | Str s -> w.WriteStringValue s
    | Bool b -> w.WriteBooleanValue b
    | Null -> w.WriteNullValue()

let private writeTable (w: Utf8JsonWriter) (t: Table) =
    w.WriteStartArray t.Name

    for row in t.Rows do
        w.WriteStartObject()

        for c, v in List.zip t.Columns row do
            w.WritePropertyName c
            writeValue w v

        w.WriteEndObject()

    w.WriteEndArray()

/// JSON: one object with the fields, then each table as an array of row objects. Non-finite
/// numbers (JSON has none) are written as the strings "inf", "-inf", "nan".
let toJson (r: Report) =
    use ms = new MemoryStream()

    do
        use w =
            new Utf8JsonWriter(
                ms,
                JsonWriterOptions(Indented = true, Encoder = Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
            )

        w.WriteStartObject()

        for name, v in r.Fields do
            w.WritePropertyName name
            writeValue w v

        for t in r.Tables do
            writeTable w t

        w.WriteEndObject()

    Encoding.UTF8.GetString(ms.ToArray())

let private csvCell (s: string) =
    if s.IndexOfAny([| ','; '"'; '\n' |]) >= 0 then
        "\"" + s.Replace("\"", "\"\"") + "\""
    else
        s

/// CSV of one table.
let tableCsv (t: Table) =
    let sb = StringBuilder()
    sb.AppendLine(String.Join(",", t.Columns |> List.map csvCell)) |> ignore

    for row in t.Rows do
        sb.AppendLine(String.Join(",", row |> List.map (valueText >> csvCell)))
        |> ignore

    sb.ToString()

/// CSV: the first table with the scalar fields repeated as leading columns; without a table,
/// one header row and one value row of the fields.
let toCsv (r: Report) =
    match r.Tables with
    | t :: _ ->
        tableCsv
            { t with
                Columns = (r.Fields |> List.map fst) @ t.Columns
                Rows = t.Rows |> List.map (fun row -> (r.Fields |> List.map snd) @ row)
            }
    | [] ->
        tableCsv
            {
                Name = ""
                Columns = r.Fields |> List.map fst
                Rows = [ r.Fields |> List.map snd ]
            }

let private shortText (v: Value) =
    match v with
    | Num x when Double.IsFinite x && x <> 0.0 && (abs x < 1e-4 || abs x >= 1e6) -> x.ToString("0.######e+0", invariant)
    | Num x when Double.IsFinite x -> x.ToString("0.##########", invariant)
    | v -> valueText v

/// Human-readable text: aligned fields, then each table (long tables abbreviated to 40 rows).
let toText (r: Report) =
    let sb = StringBuilder()
    let width = r.Fields |> List.map (fst >> String.length) |> List.fold max 0

    for name, v in r.Fields do
        sb.AppendLine(name.PadRight width + "  " + shortText v) |> ignore

    for t in r.Tables do
        sb.AppendLine().AppendLine(t.Name + ":") |> ignore
        let cells = t.Rows |> List.map (List.map shortText)

        let widths =
            t.Columns
            |> List.mapi (fun i c ->
                cells
                |> List.fold (fun m row -> max m (String.length (List.item i row))) c.Length)

        let line (xs: string list) =
            String.Join("  ", List.map2 (fun (x: string) w -> x.PadLeft w) xs widths)

        sb.AppendLine(line t.Columns) |> ignore
        let n = cells.Length

        cells
        |> List.iteri (fun i row ->
            if n <= 40 || i < 20 || i >= n - 20 then
                sb.AppendLine(line row) |> ignore
            elif i = 20 then
                sb.AppendLine(sprintf "  … %d more rows (use --format csv or json for all) …" (n - 40))
                |> ignore)

    sb.ToString()

/// Renders a report in the chosen format.
let render (format: Format) (r: Report) =
    match format with
    | Text -> toText r
    | Json -> toJson r
    | Csv -> toCsv r

/// Atomic outputs: every file is written to a temporary name and renamed; a directory of results
/// is built in a staging folder and moved into place at the end, with a manifest.
module IclTheory.Cli.Files

open System
open System.Diagnostics
open System.IO
open System.Reflection
open System.Security.Cryptography
open System.Text
open System.Text.Json

/// Writes `text` to `path` atomically (temporary file in the same folder, then rename).
let writeAllText (path: string) (text: string) =
    let full = Path.GetFullPath path
    Directory.CreateDirectory(Path.GetDirectoryName full) |> ignore
    let tmp = full + ".tmp-" + string Environment.ProcessId
    File.WriteAllText(tmp, text, UTF8Encoding(false))
    File.Move(tmp, full, true)

/// The git commit of the working directory, or "unknown" when git or the repository is absent.
let gitCommit () =
    try
        let psi =
            ProcessStartInfo(
                "git",
                "rev-parse HEAD",
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false
            )

        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEnd().Trim()
        p.WaitForExit()
        if p.ExitCode = 0 && out.Length = 40 then out else "unknown"
    with _ ->
        "unknown"

/// Versions of the assemblies that produced the numbers.
let packageVersions () =
    [
        "FSharp.Core", typeof<list<int>>.Assembly
        "IclTheory.Solver", typeof<IclTheory.Solver.Depth>.Assembly
        "IclTheory.Simulation", typeof<IclTheory.Simulation.IsoTask>.Assembly
        "IclTheory.Derivations", typeof<IclTheory.Derivations.Claim>.Assembly
        "ScottPlot", typeof<ScottPlot.Plot>.Assembly
        "QuikGraph", typeof<QuikGraph.Edge<int>>.Assembly
    ]
    |> List.map (fun (name, asm) ->
        let info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()

        name,
        (if isNull info then
             string (asm.GetName().Version)
         else
             info.InformationalVersion))

let private sha256 (path: string) =
    use s = File.OpenRead path
    Convert.ToHexString(SHA256.HashData s).ToLowerInvariant()

/// manifest.json of a results folder: command line, parameters, seeds, commit, versions, and the
/// SHA-256 of every file.
let manifest (dir: string) (argv: string array) (parameters: (string * string) list) =
    use ms = new MemoryStream()

    do
        use w =
            new Utf8JsonWriter(
                ms,
                JsonWriterOptions(Indented = true, Encoder = Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping)
            )

        w.WriteStartObject()
        w.WriteString("tool", "icl")
        w.WriteString("command_line", String.Join(" ", argv))
        w.WriteString("created_utc", DateTime.UtcNow.ToString("o"))
        w.WriteString("commit", gitCommit ())
        w.WriteString("runtime", Runtime.InteropServices.RuntimeInformation.FrameworkDescription)
        w.WriteStartObject "parameters"

        for k, v in parameters do
            w.WriteString(k, v)

        w.WriteEndObject()
        w.WriteStartObject "versions"

        for k, v in packageVersions () do
            w.WriteString(k, v)

        w.WriteEndObject()
        w.WriteStartArray "files"

        for f in Directory.GetFiles(dir, "*", SearchOption.AllDirectories) |> Array.sort do
            w.WriteStartObject()
            w.WriteString("path", Path.GetRelativePath(dir, f).Replace('\\', '/'))
            w.WriteNumber("bytes", FileInfo(f).Length)
            w.WriteString("sha256", sha256 f)
            w.WriteEndObject()

        w.WriteEndArray()
        w.WriteEndObject()

    File.WriteAllBytes(Path.Combine(dir, "manifest.json"), ms.ToArray())

/// Builds a results folder in a staging folder beside `target`, then replaces `target` with it, so
/// a reader never sees a half-written folder. The staging folder is removed on failure.
let publishFolder (target: string) (build: string -> unit) =
    let full = Path.GetFullPath(target.TrimEnd('/', '\\'))
    let parent = Path.GetDirectoryName full
    Directory.CreateDirectory parent |> ignore

    let staging =
        Path.Combine(parent, "." + Path.GetFileName full + ".staging-" + string Environment.ProcessId)

    if Directory.Exists staging then
        Directory.Delete(staging, true)

    Directory.CreateDirectory staging |> ignore

    try
        build staging

        if Directory.Exists full then
            let old = full + ".old-" + string Environment.ProcessId
            Directory.Move(full, old)
            Directory.Move(staging, full)
            Directory.Delete(old, true)
        else
            Directory.Move(staging, full)
    with _ ->
        if Directory.Exists staging then
            Directory.Delete(staging, true)

        reraise ()

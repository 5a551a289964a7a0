/// Runs `icl` in-process with the Console redirected, for the CLI tests.
module IclTheory.Cli.Tests.CliRunner

open System
open System.IO
open System.Text.Json
open Xunit
open IclTheory.Cli

/// Every test of this assembly redirects the process-wide Console: run them one at a time.
[<assembly: CollectionBehavior(DisableTestParallelization = true)>]
do ()

/// Runs `icl` with `args`; returns (exit code, stdout, stderr).
let icl (args: string list) =
    let out, err = new StringWriter(), new StringWriter()
    let oldOut, oldErr = Console.Out, Console.Error
    Console.SetOut out
    Console.SetError err

    try
        let code = Program.run (Array.ofList args)
        code, out.ToString(), err.ToString()
    finally
        Console.SetOut oldOut
        Console.SetError oldErr

/// The root element of a JSON document.
let json (s: string) = JsonDocument.Parse(s).RootElement

/// Progress for long work, on standard error so that standard output stays machine-readable.
/// Interactive terminals get a live bar; redirected output (CI, logs) gets plain lines.
module IclTheory.Cli.Progress

open System
open Spectre.Console

let private interactive () =
    not Console.IsErrorRedirected
    && Environment.GetEnvironmentVariable "CI" |> String.IsNullOrEmpty

/// A plain message line on standard error.
let note (msg: string) = eprintfn "%s" msg

/// Runs `work` with a reporter `report done total`; shows a bar when interactive, else prints a
/// line at most every 10% of the work.
let run (label: string) (work: (int -> int -> unit) -> 'a) : 'a =
    if interactive () then
        let console =
            AnsiConsole.Create(AnsiConsoleSettings(Out = AnsiConsoleOutput(Console.Error)))

        console
            .Progress()
            .AutoClear(true)
            .Start(fun ctx ->
                let task = ctx.AddTask(Markup.Escape label)

                work (fun d total ->
                    task.MaxValue <- float (max total 1)
                    task.Value <- float d))
    else
        let mutable lastDecile = -1

        work (fun d total ->
            let decile = if total <= 0 then 10 else 10 * d / total

            if decile <> lastDecile then
                lastDecile <- decile
                eprintfn "%s: %d/%d" label d total)

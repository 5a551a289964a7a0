/// Entry point of `icl`. Exit codes: 0 success; 2 bad input (one line naming the parameter,
/// nothing written); 3 a solver did not converge (or simplification found no fixed point);
/// 1 anything else, including a check that could not run.
module IclTheory.Cli.Program

open System
open Argu
open IclTheory.Solver
open IclTheory.Cli.Args

let private firstLine (s: string) =
    s.Split('\n', StringSplitOptions.RemoveEmptyEntries)
    |> Array.tryHead
    |> Option.defaultValue s

let private print (format: Output.Format, report: Output.Report) =
    let text = Output.render format report
    Console.Out.Write(if text.EndsWith "\n" then text else text + "\n")
    0

let private check (a: ParseResults<CheckArgs>) =
    let seed = a.GetResult(CheckArgs.Seed, defaultValue = 2025L)

    if seed < 0L then
        raise (InvalidParameterException("seed", string seed, "an integer >= 0"))

    let results =
        CheckCommand.runChecks
            (a.Contains CheckArgs.Quick)
            (uint64 seed)
            (a.GetResult(CheckArgs.Only, defaultValue = []))

    match Commands.format (a.TryGetResult CheckArgs.Format) with
    | Output.Json -> Console.Out.WriteLine(CheckCommand.toJson results)
    | Output.Csv -> Console.Out.Write(Output.tableCsv (CheckCommand.table results))
    | Output.Text ->
        Console.Out.Write(
            Output.toText
                {
                    Fields = CheckCommand.summaryFields results
                    Tables = [ CheckCommand.nodeTable results ]
                }
        )

    if results |> List.exists (fun r -> r.Errored) then 1 else 0

let private exponents (a: ParseResults<ExponentsArgs>) =
    let format = ExponentsCommand.parseFormat (a.TryGetResult ExponentsArgs.Format)
    let nu = a.GetResult(ExponentsArgs.Nu, defaultValue = 1.0)
    let beta = a.GetResult(ExponentsArgs.Beta, defaultValue = 1.0)

    let rows =
        ExponentsCommand.rows (ExponentsCommand.values nu beta (a.TryGetResult ExponentsArgs.H))

    match format with
    | ExponentsCommand.Plain f -> print (f, ExponentsCommand.report nu beta rows)
    | ExponentsCommand.Markdown ->
        Console.Out.Write(ExponentsCommand.markdown nu beta rows)
        0
    | ExponentsCommand.Tex ->
        Console.Out.Write(ExponentsCommand.tex rows)
        0

let private reproduce (argv: string array) (a: ParseResults<ReproduceArgs>) =
    let seed = a.GetResult(ReproduceArgs.Seed, defaultValue = 2025L)

    if seed < 0L then
        raise (InvalidParameterException("seed", string seed, "an integer >= 0"))

    let out = a.GetResult ReproduceArgs.Out
    let results = Reproduce.run argv out (a.Contains ReproduceArgs.Quick) (uint64 seed)
    printfn "wrote %s (figures 1, 2, 3, 4, 4-width, 5, 6, 7, 8; summary.md; checks.json; manifest.json)" out

    Console.Out.Write(
        Output.toText
            {
                Fields = CheckCommand.summaryFields results
                Tables = []
            }
    )

    if results |> List.exists (fun r -> r.Errored) then 1 else 0

/// Parses and runs one command line; returns the exit code.
let run (argv: string array) =
    let parser = ArgumentParser.Create<IclArgs>(programName = "icl")

    try
        let args = parser.ParseCommandLine(argv, raiseOnUsage = true)

        match args.GetSubCommand() with
        | Optimum a -> print (Commands.optimum a)
        | Loss a ->
            match Commands.parseSetting (a.GetResult LossArgs.Setting) with
            | Commands.RrsSetting -> print (ScalingCommands.loss a)
            | Commands.IsoSetting -> print (Commands.loss a)
            | Commands.FsSetting -> Commands.bad "setting" "fs" "iso or rrs (fs: `icl flow --setting fs`)"

        | Landscape a -> print (Commands.landscape a)
        | Flow a ->
            match Commands.parseSetting (a.GetResult FlowArgs.Setting) with
            | Commands.IsoSetting -> print (Commands.flow a)
            | setting -> print (StructuredCommands.flow setting a)
        | Ood a -> print (StructuredCommands.ood a)
        | Sgd a -> print (Commands.sgd a)
        | Train a -> print (Commands.train a)
        | Exponents a -> exponents a
        | Shape a ->
            print (
                Commands.format (a.TryGetResult ShapeArgs.Format),
                ExponentsCommand.shape
                    (a.GetResult(ShapeArgs.Nu, defaultValue = 1.0))
                    (a.GetResult(ShapeArgs.Beta, defaultValue = 1.0))
            )
        | Simplify a ->
            print (
                Commands.format (a.TryGetResult SimplifyArgs.Format),
                SimplifyCommand.report
                    (a.GetResult SimplifyArgs.Formula)
                    (a.TryGetResult SimplifyArgs.Diff)
                    (a.TryGetResult SimplifyArgs.At)
                    (a.TryGetResult SimplifyArgs.Equal)
            )
        | Scaling_Law a ->
            let text = ScalingLawCommand.command a
            Console.Out.Write(if text.EndsWith "\n" then text else text + "\n")
            0
        | Check a -> check a
        | Reproduce a -> reproduce argv a
    with
    | :? ArguParseException as e when e.ErrorCode = ErrorCode.HelpText ->
        Console.Out.WriteLine e.Message
        0
    | :? ArguParseException as e ->
        eprintfn "error: %s (see icl --help)" (firstLine e.Message)
        2
    | :? ArgumentException as e ->
        eprintfn "error: %s" (firstLine e.Message)
        2
    | :? ConvergenceException as e ->
        eprintfn "error: %s" (firstLine e.Message)
        3
    | IclTheory.Symbolic.NoFixedPointException _ as e ->
        eprintfn "error: %s" (firstLine e.Message)
        3
    | e ->
        eprintfn "error: %s" (firstLine e.Message)
        1

[<EntryPoint>]
let main argv = run argv

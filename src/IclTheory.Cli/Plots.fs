/// Figures with ScottPlot 5: theory lines, simulation dots with error bars, PNG and SVG.
/// Log axes are emulated (ScottPlot's are): the data are plotted as log10 and the ticks read as
/// powers of ten.
module IclTheory.Cli.Plots

open System
open ScottPlot

/// A theory curve (a line).
type Line =
    {
        Label: string
        X: float[]
        Y: float[]
        Dashed: bool
    }

/// Simulation points with standard errors.
type Dots =
    {
        Label: string
        X: float[]
        Y: float[]
        Se: float[]
    }

/// One panel of a figure.
type Panel =
    {
        Title: string
        XLabel: string
        YLabel: string
        LogX: bool
        LogY: bool
        Lines: Line list
        Dots: Dots list
    }

/// A theory line.
let line (label: string) (dashed: bool) (x: float[]) (y: float[]) : Line =
    {
        Label = label
        X = x
        Y = y
        Dashed = dashed
    }

/// A horizontal line at `value` across [x₀, x₁] (a level or an asymptote).
let horizontal (label: string) (dashed: bool) (x0: float) (x1: float) (value: float) =
    line label dashed [| x0; x1 |] [| value; value |]

/// A panel from its title, axis labels, log flags, lines and dots.
let panel title xLabel yLabel logX logY (lines: Line list) (dots: Dots list) =
    {
        Title = title
        XLabel = xLabel
        YLabel = yLabel
        LogX = logX
        LogY = logY
        Lines = lines
        Dots = dots
    }

let private superscript (n: int) =
    let digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
    let s = string (abs n) |> String.map (fun c -> digits[int c - int '0'])
    if n < 0 then "⁻" + s else s

/// Tick label of a log10 coordinate: 10ⁿ.
let powerOfTenLabel (y: float) =
    let n = int (Math.Round y)

    if abs (y - float n) < 1e-9 then
        "10" + superscript n
    else
        ""

/// Ticks for a log10 axis spanning [lo, hi] (log10 units): every decade labelled 10ⁿ; under two
/// decades 2, 3 and 5·10ⁿ are labelled too, under 0.7 decades every m·10ⁿ; the rest are minor ticks.
let logTicks (lo: float) (hi: float) =
    let tg = TickGenerators.NumericManual()

    let labelled (m: int) =
        (hi - lo < 0.7) || (hi - lo < 2.0 && (m = 2 || m = 3 || m = 5))

    for n in int (floor lo) - 1 .. int (ceil hi) + 1 do
        tg.AddMajor(float n, "10" + superscript n)

        for m in 2..9 do
            let y = float n + log10 (float m)

            if labelled m then
                tg.AddMajor(y, sprintf "%d·10%s" m (superscript n))
            else
                tg.AddMinor y

    tg

let private palette =
    [|
        Color.FromHex "#1f77b4"
        Color.FromHex "#d62728"
        Color.FromHex "#2ca02c"
        Color.FromHex "#9467bd"
        Color.FromHex "#ff7f0e"
        Color.FromHex "#8c564b"
        Color.FromHex "#17becf"
    |]

let private transform (log: bool) (xs: float[]) =
    if log then xs |> Array.map Math.Log10 else xs

/// Keeps the points that can be drawn on the chosen axes (positive for log axes, finite).
let private drawable (logX: bool) (logY: bool) (x: float) (y: float) =
    Double.IsFinite x
    && Double.IsFinite y
    && (not logX || x > 0.0)
    && (not logY || y > 0.0)

/// Colour index of each line: a solid line takes the next colour, a dashed line shares the colour
/// of the solid line before it (a printed formula beside the engine's curve for the same series),
/// so dots, which are coloured in order, match their series.
let private lineColours (lines: Line list) =
    lines
    |> List.mapFold
        (fun (next, last) (l: Line) ->
            if l.Dashed && last >= 0 then
                last, (next, last)
            else
                next, (next + 1, next))
        (0, -1)
    |> fst

let private addLine (plt: Plot) (p: Panel) (i: int) (l: Line) =
    let pts =
        Array.zip l.X l.Y |> Array.filter (fun (x, y) -> drawable p.LogX p.LogY x y)

    if pts.Length > 0 then
        let s =
            plt.Add.ScatterLine(transform p.LogX (Array.map fst pts), transform p.LogY (Array.map snd pts))

        s.LegendText <- l.Label
        s.Color <- palette[i % palette.Length]
        s.LineWidth <- 2.0f

        if l.Dashed then
            s.LinePattern <- LinePattern.Dashed

let private addDots (plt: Plot) (p: Panel) (i: int) (d: Dots) =
    let pts =
        Array.zip3 d.X d.Y d.Se
        |> Array.filter (fun (x, y, _) -> drawable p.LogX p.LogY x y)

    if pts.Length > 0 then
        let xs = transform p.LogX (pts |> Array.map (fun (x, _, _) -> x))
        let ys = pts |> Array.map (fun (_, y, _) -> y)
        let se = pts |> Array.map (fun (_, _, e) -> e)
        let color = palette[i % palette.Length]

        let lo, hi =
            if p.LogY then
                let up = Array.map2 (fun y e -> Math.Log10(y + e) - Math.Log10 y) ys se

                let down =
                    Array.map2
                        (fun y e ->
                            if y - e > 0.0 then
                                Math.Log10 y - Math.Log10(y - e)
                            else
                                up[0])
                        ys
                        se

                down, up
            else
                se, se

        let yt = transform p.LogY ys
        let none: float[] = Array.zeroCreate xs.Length
        let eb = Plottables.ErrorBar(xs, yt, none, none, lo, hi)
        eb.Color <- color
        plt.Add.Plottable eb |> ignore
        let s = plt.Add.ScatterPoints(xs, yt)
        s.LegendText <- d.Label
        s.Color <- color
        s.MarkerSize <- 7.0f

/// Draws a panel into a plot.
let private draw (plt: Plot) (p: Panel) =
    List.iter2 (addLine plt p) (lineColours p.Lines) p.Lines
    p.Dots |> List.iteri (addDots plt p)
    plt.Title p.Title
    plt.XLabel p.XLabel
    plt.YLabel p.YLabel

    let points =
        (p.Lines |> List.collect (fun l -> List.ofArray (Array.zip l.X l.Y)))
        @ (p.Dots |> List.collect (fun d -> List.ofArray (Array.zip d.X d.Y)))
        |> List.filter (fun (x, y) -> drawable p.LogX p.LogY x y)

    let span (coords: float list) =
        let logs = coords |> List.map Math.Log10

        if logs.IsEmpty then
            0.0, 1.0
        else
            List.min logs, List.max logs

    if p.LogX then
        plt.Axes.Bottom.TickGenerator <- (points |> List.map fst |> span ||> logTicks)

    if p.LogY then
        plt.Axes.Left.TickGenerator <- (points |> List.map snd |> span ||> logTicks)

    if not (p.Lines.IsEmpty && p.Dots.IsEmpty) then
        plt.ShowLegend(Edge.Right) |> ignore

/// A panel with one theory curve and no simulation points.
let curvePanel
    (title: string)
    (xLabel: string)
    (yLabel: string)
    (logX: bool)
    (logY: bool)
    (label: string)
    (x: float[])
    (y: float[])
    =
    {
        Title = title
        XLabel = xLabel
        YLabel = yLabel
        LogX = logX
        LogY = logY
        Lines =
            [
                {
                    Label = label
                    X = x
                    Y = y
                    Dashed = false
                }
            ]
        Dots = []
    }

/// A panel of several solid theory curves (label, x, y), no simulation points.
let linesPanel
    (title: string)
    (xLabel: string)
    (yLabel: string)
    (logX: bool)
    (logY: bool)
    (curves: (string * float[] * float[]) list)
    =
    {
        Title = title
        XLabel = xLabel
        YLabel = yLabel
        LogX = logX
        LogY = logY
        Lines =
            [
                for label, x, y in curves ->
                    {
                        Label = label
                        X = x
                        Y = y
                        Dashed = false
                    }
            ]
        Dots = []
    }

/// Builds the panels side by side in one multiplot.
let private multiplot (panels: Panel list) =
    let multi = new Multiplot()
    multi.Subplots.RemoveAt 0

    for p in panels do
        draw (multi.AddPlot()) p

    multi.Layout <- MultiplotLayouts.Columns()
    multi

/// Writes a figure of panels side by side as `stem.png` and `stem.svg` (each atomically).
let save (stem: string) (panels: Panel list) =
    let width, height = 680 * max 1 panels.Length, 420
    let multi = multiplot panels

    IO.Directory.CreateDirectory(IO.Path.GetDirectoryName(IO.Path.GetFullPath stem))
    |> ignore

    let png, svg = stem + ".tmp.png", stem + ".tmp.svg"
    multi.SavePng(png, width, height) |> ignore

    do
        use fs = IO.File.Create svg

        use canvas =
            SkiaSharp.SKSvgCanvas.Create(SkiaSharp.SKRect(0f, 0f, float32 width, float32 height), fs)

        multi.Render(canvas, PixelRect(0f, float32 width, float32 height, 0f))

    IO.File.Move(png, stem + ".png", true)
    IO.File.Move(svg, stem + ".svg", true)

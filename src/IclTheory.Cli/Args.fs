/// Command-line grammar of `icl` (Argu). Every command takes `--format text|json|csv`.
module IclTheory.Cli.Args

open Argu

type FormatArg =
    | Text
    | Json
    | Csv

type OptimumArgs =
    | [<Mandatory>] Setting of name: string
    | [<Mandatory>] Alpha of alpha: float
    | [<Mandatory>] Depth of depth: string
    | Noise of sigma2: float
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Setting _ -> "data setting: iso (isotropic covariates and tasks, Section 3.1)."
            | Alpha _ -> "context ratio α = P/D > 0."
            | Depth _ -> "depth L: an integer ≥ 1, or inf for the L → ∞ limit."
            | Noise _ -> "label-noise variance σ² ≥ 0 (default 0)."
            | Format _ -> "output format (default text)."

type LossArgs =
    | [<Mandatory>] Setting of name: string
    | Alpha of alpha: float
    | [<Mandatory>] Depth of depth: string
    | [<Mandatory>] Gamma of gamma: float
    | Noise of sigma2: float
    | Dim of d: int
    | Width of n: int
    | Context of p: string
    | Nu of nu: float
    | Beta of beta: float
    | Spectrum of path: string
    | Projection of name: string
    | Tolerance of tol: float
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Setting _ ->
                "data setting: iso (Eq. 83 at finite α) or rrs (Result 7: width N, context P, depth L, by the two-point deterministic equivalent)."
            | Alpha _ -> "iso: context ratio α = P/D > 0 (required)."
            | Depth _ -> "depth L: an integer ≥ 1 (iso also accepts inf)."
            | Gamma _ -> "the scale γ of Γ = γI (iso) or of Γ = γAAᵀ (rrs, Eq. 14); finite, ≥ 0 for rrs."
            | Noise _ -> "iso: label-noise variance σ² ≥ 0 (default 0)."
            | Dim _ ->
                "rrs: input dimension D = number of modes, 2 to 20000 (default 200; with --spectrum, its length)."
            | Width _ -> "rrs: width N of the rank-N feature map, 1 to D (default D)."
            | Context _ -> "rrs: context length P ≥ 1, or inf (default inf)."
            | Nu _ -> "rrs: capacity exponent ν > 0 of λ_k = k^(−ν) (default 1)."
            | Beta _ -> "rrs: source exponent β > 0 of ω_kλ_k = k^(−νβ−1) (default 1)."
            | Spectrum _ -> "rrs: a CSV file of λ_k,ω_k per line instead of the power law."
            | Projection _ ->
                "rrs: rank (AᵀA a rank-N coordinate projection, Eq. 107; default) or gaussian (A with iid N(0, 1/D) entries, B = (AᵀA)²)."
            | Tolerance _ -> "rrs: relative tolerance of the node-doubling test, 1e-14 to 1e-2 (default 1e-10)."
            | Format _ -> "output format (default text)."

type LandscapeArgs =
    | [<Mandatory>] Setting of name: string
    | [<Mandatory>] Alpha of alpha: float
    | [<Mandatory>] Depth of depth: string
    | Noise of sigma2: float
    | Gamma_Min of gamma: float
    | Gamma_Max of gamma: float
    | Points of n: int
    | Plot of path: string
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Setting _ -> "data setting: iso."
            | Alpha _ -> "context ratio α = P/D > 0."
            | Depth _ -> "depth L: an integer ≥ 1, or inf."
            | Noise _ -> "label-noise variance σ² ≥ 0 (default 0)."
            | Gamma_Min _ -> "smallest γ (default 0)."
            | Gamma_Max _ -> "largest γ (default 2γ*, or 4 for L = ∞ without noise)."
            | Points _ -> "number of γ values, 2 to 100000 (default 101)."
            | Plot _ -> "also write the landscape as a figure: PATH.png and PATH.svg."
            | Format _ -> "output format (default text)."

type FlowArgs =
    | [<Mandatory>] Setting of name: string
    | Alpha of alpha: float
    | [<Mandatory>] Depth of depth: string
    | Noise of sigma2: float
    | Nu of nu: float
    | Beta of beta: float
    | Modes of m: int
    | Spectrum of path: string
    | Leading of m: int
    | T_Min of t: float
    | T_Max of t: float
    | Points of n: int
    | Method of name: string
    | Convention of name: string
    | Width of n: int
    | Context of p: string
    | Dim of d: int
    | Plot of path: string
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Setting _ ->
                "data setting: iso (Eq. 7 at finite α), fs (fixed structured covariance, Eq. 10, P → ∞) or rrs (randomly rotated, Eq. 13, N, P → ∞)."
            | Alpha _ -> "iso only: context ratio α = P/D > 0."
            | Depth _ -> "depth L: an integer ≥ 1, or inf."
            | Noise _ -> "iso only: label-noise variance σ² ≥ 0 (default 0)."
            | Nu _ -> "fs/rrs: capacity exponent ν > 0 of λ_k = k^(−ν) (default 1)."
            | Beta _ -> "fs/rrs: source exponent β > 0 of ω_kλ_k = k^(−νβ−1) (default 1)."
            | Modes _ -> "fs/rrs: number of modes M, 1 to 10000000 (default 1000)."
            | Spectrum _ -> "fs/rrs: a CSV file of λ_k,ω_k per line instead of the power law."
            | Leading _ -> "fs: how many leading modes γ_k(t) to print, 1 to 64 (default 4)."
            | T_Min _ -> "fs/rrs: first positive output time (default t-max/10⁶)."
            | T_Max _ -> "final flow time t > 0 (default 100 for iso, 10⁶ for fs/rrs)."
            | Points _ -> "number of output times, log-spaced, 2 to 100000 (default 60)."
            | Method _ -> "iso: rk (adaptive Dormand–Prince) or quadrature (exact t(γ) = ∫dγ/f); default rk."
            | Convention _ ->
                "iso: eq7 (dγ/dt = −½ dℒ/dγ, SGD time t = η·steps; default) or eq83 (as printed, twice as fast); fs: eq10 (default, SGD time) or eq85 (as printed in Appendix D, twice as fast)."
            | Width _ ->
                "rrs: width N, 1 to D: the flow on the two-point loss at finite width (Result 7, Eq. 103; then --dim sets D)."
            | Context _ -> "rrs: context length P ≥ 1, or inf: the two-point flow at finite context (default inf)."
            | Dim _ -> "rrs with --width or --context: input dimension D = number of modes, 2 to 20000 (default 1000)."
            | Plot _ -> "also write the curves as a figure: PATH.png and PATH.svg."
            | Format _ -> "output format (default text)."

type OodArgs =
    | Nu of nu: float
    | Beta of beta: float
    | Modes of m: int
    | Spectrum of path: string
    | Depths of depths: int list
    | Theta_Max of theta: float
    | Points of n: int
    | Seed of seed: int
    | Fixed_Omega
    | Plot of path: string
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nu _ -> "capacity exponent ν > 0 of λ_k = k^(−ν) (default 1)."
            | Beta _ -> "source exponent β > 0 (default 1)."
            | Modes _ -> "dimension D = number of modes, 2 to 2000 (default 32)."
            | Spectrum _ -> "a CSV file of λ_k,ω_k per line instead of the power law."
            | Depths _ -> "depths L ≥ 1 of the fully trained models Γ = LΣ⁻¹ (default 1 2 4 8)."
            | Theta_Max _ -> "largest rotation angle θ > 0 of Σ' = e^{θS}Σe^{−θS} (default 1)."
            | Points _ -> "number of θ values from 0, 2 to 10000 (default 41)."
            | Seed _ -> "seed ≥ 0 of the random skew-symmetric S (default 1)."
            | Fixed_Omega -> "keep Ω' = Ω (default: rotate Ω with Σ, so the shifted task is equally hard)."
            | Plot _ -> "also write L_OOD(θ) as a figure: PATH.png and PATH.svg."
            | Format _ -> "output format (default text)."

type SgdArgs =
    | Alpha of alpha: float
    | Kappa of kappa: float
    | Tau of tau: float
    | Lr of eta: float
    | Noise of sigma2: float
    | Steps of n: int
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Alpha _ -> "context ratio α = P/D > 0 (default 1)."
            | Kappa _ -> "evaluation-point ratio κ = K/D > 0 (default 1)."
            | Tau _ -> "batch ratio τ = B/D > 0 (default 1)."
            | Lr _ -> "SGD learning rate η > 0 (default 0.1)."
            | Noise _ -> "label-noise variance σ² ≥ 0 (default 0)."
            | Steps _ -> "number of SGD steps, 1 to 10000000 (default 200)."
            | Format _ -> "output format (default text)."

type TrainArgs =
    | Model of name: string
    | Setting of name: string
    | [<Mandatory>] Dim of d: int
    | [<Mandatory>] Alpha of alpha: float
    | [<Mandatory>] Depth of depth: int
    | Nu of nu: float
    | Beta of beta: float
    | Kappa of kappa: float
    | Steps of n: int
    | Batch of b: int
    | Lr of eta: float
    | Anneal of fraction: float
    | Seed of seed: int64
    | Noise of sigma2: float
    | Init_Sigma of sigma: float
    | Width of r: int
    | Free_Readout
    | Eval_Contexts of n: int
    | Log_Points of n: int
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ ->
                "model: reduced (the recurrent reduced-Γ model of Eq. 4, full D×D Γ; default), untied (L separate Γ^ℓ with η = η₀L, Section 5.1) or attention (deep linear attention of Eq. 3 with the mask of Eq. 41, Section 5.2)."
            | Setting _ ->
                "data setting: iso (Eq. 5; default), fs (fixed Σ = Λ, Ω, Section 3.2) or rrs (Haar-rotated per context, Eq. 12)."
            | Dim _ -> "input dimension D, 1 to 4096."
            | Alpha _ -> "context ratio α = P/D > 0."
            | Depth _ -> "depth L ≥ 1."
            | Nu _ -> "fs/rrs: capacity exponent ν > 0, λ_k = k^(−ν), k = 1..D (default 1)."
            | Beta _ -> "fs/rrs: source exponent β > 0, ω_k = k^(−νβ−1)/λ_k (default 1)."
            | Kappa _ -> "evaluation-point ratio κ = K/D > 0 (default 1)."
            | Steps _ -> "SGD steps ≥ 0 (default 160/η: flow time 80 at constant η, then the anneal)."
            | Batch _ -> "contexts per step B ≥ 1 (default D, i.e. τ = 1)."
            | Lr _ ->
                "learning rate η > 0 of Eq. 62 (default: 15% of the stability bound of Result 10, at most 0.2, divided by L/4 beyond L = 4; attention: a quarter of that, at most 1/D); flow time t = Σ η."
            | Anneal _ ->
                "fraction of the steps, in [0, 1], over which η decays linearly to 5% of its value (default 0.5)."
            | Seed _ -> "random seed ≥ 0 (default 1)."
            | Noise _ -> "label-noise variance σ² ≥ 0 (default 0)."
            | Init_Sigma _ ->
                "attention: aligned initial scale σ > 0 (W_x = √2σE, W_k = W_q = σEEᵀ, W_v = σeeᵀ, Result 9; default 0.5)."
            | Width _ -> "attention: residual width R ≥ D + 1 (default D + 1)."
            | Free_Readout -> "attention: train w_y and w_o too (default: fixed unit w_y = w_o as in Result 9)."
            | Eval_Contexts _ -> "fresh contexts per evaluation, ≥ 2 (default 512)."
            | Log_Points _ -> "number of logged steps, 2 to 1000 (default 25)."
            | Format _ -> "output format (default text)."

type CheckArgs =
    | Quick
    | Only of ids: string list
    | Seed of seed: int64
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Quick -> "smaller simulations (CI); tolerances follow the larger standard errors."
            | Only _ -> "check only these claim ids (and what they depend on)."
            | Seed _ -> "root seed of the simulations (default 2025)."
            | Format _ -> "output format (default text)."

type ReproduceArgs =
    | [<Mandatory>] Out of dir: string
    | Quick
    | Seed of seed: int64

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Out _ -> "output folder (replaced atomically when the run succeeds)."
            | Quick -> "smaller simulations: a few minutes on a laptop."
            | Seed _ -> "root seed (default 2025)."

type ExponentsArgs =
    | Nu of nu: float
    | Beta of beta: float
    | H of h: float
    | Format of name: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nu _ -> "capacity exponent ν > 0 (λ_k ~ k^(−ν)); default 1."
            | Beta _ -> "source exponent β > 0; default 1."
            | H _ -> "hierarchy depth h > 0 of the competing paper's tasks (values left empty without it)."
            | Format _ -> "text, md, tex (a LaTeX table body), csv or json (default text)."

type ShapeArgs =
    | Nu of nu: float
    | Beta of beta: float
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nu _ -> "capacity exponent ν > 0; default 1."
            | Beta _ -> "source exponent β > 0; default 1."
            | Format _ -> "output format (default text)."

type SimplifyArgs =
    | [<MainCommand; ExactlyOnce>] Formula of formula: string
    | Diff of symbol: string
    | At of point: string
    | Equal of other: string
    | Format of FormatArg

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Formula _ -> "the formula in plain text, e.g. 'beta/(2+beta)', 'nu*beta', 't^(-beta/(2+beta))'."
            | Diff _ -> "also print the derivative with respect to this symbol, simplified."
            | At _ -> "also evaluate at this point: name=value pairs separated by commas, e.g. nu=1,beta=0.5."
            | Equal _ ->
                "also compare with this formula: equal canonical forms, and a numeric probe at 64 seeded points."
            | Format _ -> "output format (default text)."

type ScalingLawArgs =
    | Nu of nu: float
    | Beta of beta: float
    | Dim of d: int
    | Max_Depth of l: int
    | Learning_Rate of name: string
    | Bootstrap of b: int
    | Seed of seed: int
    | Plot of path: string
    | Format of name: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Nu _ -> "capacity exponent ν > 0 of λ_k = k^(−ν) (default 1)."
            | Beta _ -> "source exponent β > 0 of ω_kλ_k = k^(−νβ−1) (default 1)."
            | Dim _ -> "input dimension D = number of modes, 256 to 20000 (default 2000); widths D/64 … D/4."
            | Max_Depth _ -> "largest depth of the grid L = 1, 2, 4, …, 4 to 256 (default 64)."
            | Learning_Rate _ ->
                "constant (η = 1, Eqs. 13–14 as printed; default) or width-scaled (η = (D/N)², so that the time term is N-independent)."
            | Bootstrap _ -> "bootstrap replicates of the fit, 20 to 100000 (default 200)."
            | Seed _ -> "seed ≥ 0 of the bootstrap resampling (default 1)."
            | Plot _ -> "also write the final losses with the fit and the frontier: PATH.png and PATH.svg."
            | Format _ -> "text, md, csv or json (default text)."

[<RequireSubcommand>]
type IclArgs =
    | [<CliPrefix(CliPrefix.None)>] Optimum of ParseResults<OptimumArgs>
    | [<CliPrefix(CliPrefix.None)>] Loss of ParseResults<LossArgs>
    | [<CliPrefix(CliPrefix.None)>] Landscape of ParseResults<LandscapeArgs>
    | [<CliPrefix(CliPrefix.None)>] Flow of ParseResults<FlowArgs>
    | [<CliPrefix(CliPrefix.None)>] Ood of ParseResults<OodArgs>
    | [<CliPrefix(CliPrefix.None)>] Sgd of ParseResults<SgdArgs>
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Exponents of ParseResults<ExponentsArgs>
    | [<CliPrefix(CliPrefix.None)>] Shape of ParseResults<ShapeArgs>
    | [<CliPrefix(CliPrefix.None)>] Simplify of ParseResults<SimplifyArgs>
    | [<CliPrefix(CliPrefix.None)>] Scaling_Law of ParseResults<ScalingLawArgs>
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<CheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Reproduce of ParseResults<ReproduceArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Optimum _ -> "optimal γ* and loss ℒ* of the landscape (Eq. 8, with the noise term of Eq. 83)."
            | Loss _ ->
                "the loss ℒ(γ) and its derivative: iso (Γ = γI, Eq. 83) or rrs at finite width, context and depth (Result 7, Eq. 103)."
            | Landscape _ -> "ℒ(γ) over a range of γ (Figure 2)."
            | Flow _ ->
                "the gradient flow from Γ(0) = 0: γ(t), ℒ(t) (ISO Eq. 7, RRS Eq. 13) or γ_k(t), ℒ(t) (FS Eq. 10)."
            | Ood _ ->
                "out-of-distribution loss of FS-trained models under a rotated covariance (Result 5, Eq. 11; Figure 3c)."
            | Sgd _ -> "online SGD of the shallow model (Result 10, Eqs. 78–79): printed and engine curves."
            | Train _ -> "train the reduced-Γ model by online SGD and evaluate it on fresh contexts."
            | Exponents _ ->
                "every scaling exponent of the paper: printed, derived by the symbolic core, and their values."
            | Shape _ -> "compute-optimal allocation of Eq. 18 (C = t·P²·N²·L): resource exponents and L ∝ N^ν."
            | Simplify _ ->
                "the symbolic core on a formula: canonical form (plain, Unicode, LaTeX), derivative, value, equality."
            | Scaling_Law _ ->
                "Eq. 18 fitted to the finite-(N, L) engine (Huber, bootstrap intervals) next to the symbolic exponents, and the compute frontier."
            | Check _ -> "run the registry of the paper's claims: theory vs simulation vs printed."
            | Reproduce _ -> "write the paper's figures (PNG, SVG, CSV), the check table and a manifest."

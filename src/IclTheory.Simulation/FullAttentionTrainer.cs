using System.Diagnostics;
using System.Numerics.Tensors;

namespace IclTheory.Simulation;

/// <summary>
/// Online SGD for the deep linear attention model (Eq. 3 with the mask of Eq. 41) on contexts from any data setting.
/// </summary>
/// <remarks>
/// <para>
/// Update: θ_P ← θ_P − η (D/2) m_P B⁻¹ Σ_n ∇_P ℒ(D_n) for each tensor P, flow time t = Σ_s η_s — the convention of
/// <see cref="ReducedGammaTrainer"/> (Eq. 62), under which Γ = γI obeys dγ/dt = (1/D) tr dΓ/dt = −(1/2) ∂ℒ/∂γ.
/// </para>
/// <para>
/// Multipliers m_P: write P = w U + (rest) with U its aligned direction (Eqs. 43–45) and n_P = ‖U‖²_F, so
/// w = ⟨P, U⟩/n_P and, by the chain rule, ∂ℒ/∂w = ⟨∇_P ℒ, U⟩. The update then moves w by
/// ⟨ΔP, U⟩/n_P = −η (D/2) (m_P/n_P) ∂ℒ/∂w, which is the flow dw/dt = −(1/2) ∂ℒ/∂w of the scalar loss of Eq. 124
/// exactly when m_P = n_P/D. W_x (U = E), W_k and W_q (U = E Eᵀ) have n_P = D, so m = 1; W_v (U = e eᵀ), w_o and
/// w_y (U = e) have n_P = 1, so m = 1/D. Frozen read-in and readout (Result 9) have m = 0. Untied layers use the
/// same multipliers per layer (Section 5.1 rescales η by L to match the recurrent model; that is the caller's choice).
/// </para>
/// <para>
/// Each step's contexts come from child streams (seed, TrainContext, step, index) and per-chunk gradients are summed in
/// a fixed order, so results do not depend on the thread count. Evaluation uses the fixed contexts (seed, EvalContext, 0, i).
/// </para>
/// </remarks>
public static class FullAttentionTrainer
{
    /// <summary>A batch loss this many times the loss at step 0 counts as divergence.</summary>
    public const double DivergedLossFactor = 1e6;

    /// <summary>Trains the attention weights by online SGD and logs the test loss on fresh contexts at the requested steps.</summary>
    /// <exception cref="ArgumentException">Invalid options (the parameter is named).</exception>
    /// <exception cref="InvalidOperationException">Training diverged (non-finite weights or loss, or a batch loss beyond 10⁶ times the initial loss).</exception>
    public static FullAttentionResult Train(
        FullAttentionOptions options, IProgress<(int Step, int Steps)>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var probe = NewContext(options.Contexts, null);
        var width = options.Validate(probe.Dim);
        var parameters = Initial(options, probe.Dim, width);
        return new SgdRun(options, parameters, probe, progress, ct).Run();
    }

    /// <summary>Test MSE of <paramref name="parameters"/> on <paramref name="contexts"/> fresh contexts (seed, EvalContext, 0, i): (mean, standard error).</summary>
    public static (double Mean, double Se) TestLoss(
        Func<IRegressionContext> factory, FullAttentionParameters parameters, int contexts, ulong seed, int maxDegreeOfParallelism = -1)
    {
        ArgumentNullException.ThrowIfNull(factory, "contexts");
        ArgumentNullException.ThrowIfNull(parameters);
        var probe = NewContext(factory, null);
        if (probe.Dim != parameters.Dim)
        {
            throw new ArgumentException($"The contexts have D={probe.Dim} but the parameters D={parameters.Dim}.", nameof(parameters));
        }

        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(
                "threads", maxDegreeOfParallelism, $"threads must be −1 (no limit) or ≥ 1; got {maxDegreeOfParallelism}.");
        }

        var evaluator = new FullAttentionEvaluator(factory, probe, parameters, Guard.AtLeast(contexts, 2, "eval-contexts"), seed, maxDegreeOfParallelism);
        return evaluator.Estimate(parameters, CancellationToken.None);
    }

    /// <summary>
    /// The per-entry multipliers m_P of the update (class remarks), laid out like <see cref="FullAttentionParameters.Values"/>:
    /// 1 on W_x, W_k, W_q; 1/D on W_v, w_o, w_y; 0 on w_o, w_y when <paramref name="fixedReadout"/>.
    /// </summary>
    public static double[] StepMultipliers(FullAttentionParameters parameters, bool fixedReadout)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var multipliers = new double[parameters.Values.Length];
        var r = parameters.Width;
        var invDim = 1.0 / parameters.Dim;
        multipliers.AsSpan(0, r * parameters.Dim).Fill(1.0);
        multipliers.AsSpan(parameters.WyOffset, 2 * r).Fill(fixedReadout ? 0.0 : invDim);
        for (var block = 0; block < parameters.Blocks; block++)
        {
            var offset = parameters.KOffset(block);
            multipliers.AsSpan(offset, 2 * r * r).Fill(1.0);
            multipliers.AsSpan(offset + 2 * r * r, r * r).Fill(invDim);
        }

        return multipliers;
    }

    /// <summary>The initial weights the options ask for.</summary>
    public static FullAttentionParameters Initial(FullAttentionOptions options, int dim, int width) =>
        options?.Init switch
        {
            FullAttentionInit.Aligned aligned => FullAttentionParameters.Aligned(dim, width, options.Depth, options.Tied, aligned.Sigma),
            FullAttentionInit.Random random => FullAttentionParameters.Random(
                dim, width, options.Depth, options.Tied, random.Scale, options.FixedReadout, options.Seed),
            _ => throw new ArgumentNullException(nameof(options)),
        };

    /// <summary>A context from the factory, checked against the shape of <paramref name="shape"/> when given.</summary>
    internal static IRegressionContext NewContext(Func<IRegressionContext> factory, IRegressionContext? shape)
    {
        var context = factory() ?? throw new ArgumentException("The context factory returned null.", "contexts");
        if (shape is not null && (context.Dim != shape.Dim || context.Points != shape.Points || context.EvalPoints != shape.EvalPoints))
        {
            throw new ArgumentException(
                $"The context factory must return buffers of one shape: D={shape.Dim}, P={shape.Points}, K={shape.EvalPoints}; " +
                $"got D={context.Dim}, P={context.Points}, K={context.EvalPoints}.",
                "contexts");
        }

        return context;
    }

    /// <summary>State of one training run: the weights, per-chunk workspaces and the logged curve.</summary>
    private sealed class SgdRun
    {
        private readonly FullAttentionOptions options;
        private readonly FullAttentionParameters parameters;
        private readonly IProgress<(int Step, int Steps)>? progress;
        private readonly CancellationToken ct;
        private readonly int dim;
        private readonly FullAttentionWorkspace[] workspaces;
        private readonly FullAttentionEvaluator evaluator;
        private readonly SgdLoop loop;
        private double initialLoss = double.NaN;

        public SgdRun(
            FullAttentionOptions options,
            FullAttentionParameters parameters,
            IRegressionContext probe,
            IProgress<(int Step, int Steps)>? progress,
            CancellationToken ct)
        {
            this.options = options;
            this.parameters = parameters;
            this.progress = progress;
            this.ct = ct;
            dim = parameters.Dim;
            workspaces = new FullAttentionWorkspace[ChunkedParallel.For(options.Batch).Chunks];
            for (var c = 0; c < workspaces.Length; c++)
            {
                workspaces[c] = FullAttentionWorkspace.For(probe, parameters);
            }

            loop = new SgdLoop(
                options,
                dim,
                1.0,
                parameters.Values,
                StepMultipliers(parameters, options.FixedReadout),
                c => c == 0 ? probe : NewContext(options.Contexts, probe),
                (chunk, context, gradient) => FullAttentionModel.LossAndGradient(context, parameters, workspaces[chunk], gradient, 1.0),
                ct)
            {
                DivergenceLimit = () => DivergedLossFactor * initialLoss,
            };
            evaluator = new FullAttentionEvaluator(
                options.Contexts, probe, parameters, options.EvalContexts, options.Seed, options.MaxDegreeOfParallelism);
        }

        public FullAttentionResult Run()
        {
            var wall = Stopwatch.StartNew();
            var curve = new List<FullAttentionPoint>();
            var contextsPerSecond = loop.Run(
                () => evaluator.Estimate(parameters, ct),
                (step, time, lr, loss, se) => curve.Add(LogPoint(step, time, lr, loss, se)),
                Diverged,
                progress);
            var last = curve[^1];
            var gamma = GammaStatistics.ToMatrix(parameters.MeanEffectiveGamma(), dim);
            return new FullAttentionResult(curve, last.Loss, last.Se, parameters.Clone(), gamma, contextsPerSecond)
            {
                WallSeconds = wall.Elapsed.TotalSeconds,
            };
        }

        /// <summary>The logged point at a log step; the loss at step 0 sets the divergence scale.</summary>
        private FullAttentionPoint LogPoint(int step, double time, double lr, double loss, double se)
        {
            if (step == 0)
            {
                initialLoss = Math.Max(loss, double.Epsilon);
            }

            var gamma = parameters.MeanEffectiveGamma();
            return new FullAttentionPoint(
                step,
                time,
                lr,
                loss,
                se,
                GammaStatistics.GammaBar(gamma, dim),
                GammaStatistics.Anisotropy(gamma, dim),
                parameters.Scales(),
                parameters.Norms());
        }

        private InvalidOperationException Diverged(int step, double lr) =>
            new($"Training diverged at step {step} of {options.Steps} (learning rate {lr:G4}, D={dim}, R={parameters.Width}, " +
                $"L={options.Depth}, B={options.Batch}): the weights or the batch loss became non-finite or exceeded 10⁶ times the " +
                $"initial loss. Use a smaller learning rate (for example lr ≤ {lr / 4:G3}).");
    }
}

/// <summary>
/// Test loss of fixed attention weights over a fixed set of evaluation contexts (the same at every call, so curves
/// are compared on common random numbers).
/// </summary>
internal sealed class FullAttentionEvaluator
{
    private readonly ulong seed;
    private readonly ChunkedParallel partition;
    private readonly IRegressionContext[] contextBuffers;
    private readonly FullAttentionWorkspace[] workspaces;
    private readonly double[] losses;
    private readonly int maxDegreeOfParallelism;
    private readonly Action<int> chunkBody;
    private FullAttentionParameters? parameters;

    public FullAttentionEvaluator(
        Func<IRegressionContext> factory, IRegressionContext shape, FullAttentionParameters parameters, int contexts, ulong seed, int maxDegreeOfParallelism)
    {
        this.seed = seed;
        this.maxDegreeOfParallelism = maxDegreeOfParallelism;
        partition = ChunkedParallel.For(contexts);
        contextBuffers = new IRegressionContext[partition.Chunks];
        workspaces = new FullAttentionWorkspace[partition.Chunks];
        for (var c = 0; c < partition.Chunks; c++)
        {
            contextBuffers[c] = FullAttentionTrainer.NewContext(factory, shape);
            workspaces[c] = FullAttentionWorkspace.For(shape, parameters);
        }

        losses = new double[contexts];
        chunkBody = EvaluateChunk;
    }

    /// <summary>(mean, standard error) of the per-context test loss of <paramref name="weights"/>.</summary>
    public (double Mean, double Se) Estimate(FullAttentionParameters weights, CancellationToken ct)
    {
        parameters = weights;
        Parallel.For(0, partition.Chunks, ChunkedParallel.Options(maxDegreeOfParallelism, ct), chunkBody);
        return LossEstimator.MeanAndStandardError(losses);
    }

    private void EvaluateChunk(int chunk)
    {
        var context = contextBuffers[chunk];
        var workspace = workspaces[chunk];
        for (var i = partition.Start(chunk); i < partition.End(chunk); i++)
        {
            context.Sample(seed, StreamPurpose.EvalContext, 0, i);
            losses[i] = FullAttentionModel.Loss(context, parameters!, workspace);
        }
    }
}

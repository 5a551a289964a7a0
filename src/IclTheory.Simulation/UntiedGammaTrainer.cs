namespace IclTheory.Simulation;

/// <summary>
/// Online SGD for the untied reduced-Γ model (<see cref="UntiedGammaModel"/>; Section 5.1, Appendix G.1) with the
/// per-layer learning rate upscaled by depth, η = η₀L: Γ^ℓ ← Γ^ℓ − η₀L (D/2) B⁻¹ Σ_n ∂ℒ(D_n)/∂Γ^ℓ, where η₀ is
/// <see cref="TrainOptions.LearningRate"/> (with its schedule) and flow time is t = Σ_s η₀,s. With balanced
/// layers Γ^ℓ = Γ the summed update Σ_ℓ ΔΓ^ℓ / L equals the recurrent update, so the two models follow the same flow
/// (Eq. 118); unbalanced starts γ^ℓ(0) I show the balancing of Figure 8b.
/// </summary>
public static class UntiedGammaTrainer
{
    /// <summary>Trains the layers {Γ^ℓ} by online SGD from Γ^ℓ = γ^ℓ(0) I and logs the test loss at the requested steps.</summary>
    /// <param name="options">Task, depth L, steps, batch, η₀, seed, schedule and evaluation settings.</param>
    /// <param name="initialGammas">The scalars γ^ℓ(0), one per layer (L finite values, "initial-gammas"); null: all zero.</param>
    /// <param name="progress">Receives (steps done, total steps).</param>
    /// <param name="ct">Cancels the run.</param>
    /// <exception cref="ArgumentException">Invalid options (the parameter is named).</exception>
    /// <exception cref="InvalidOperationException">Training diverged (non-finite Γ^ℓ or loss).</exception>
    public static UntiedTrainResult Train(
        TrainOptions options,
        IReadOnlyList<double>? initialGammas = null,
        IProgress<(int Step, int Steps)>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dim = options.Task.Dim;
        var depth = options.Depth;
        var run = new OnlineSgd<UntiedTrainPoint>(
            options,
            "untied",
            InitialLayers(initialGammas, depth, dim),
            depth,
            UntiedGammaModel.Loss,
            UntiedGammaModel.LossAndGradient,
            (step, time, lr, loss, se, gammas) => LogPoint(step, time, lr, loss, se, gammas, depth, dim),
            progress,
            ct).Run();
        var layers = new double[depth][,];
        for (var layer = 0; layer < depth; layer++)
        {
            layers[layer] = GammaStatistics.ToMatrix(UntiedGammaModel.Layer(run.Parameters, layer, dim), dim);
        }

        return new UntiedTrainResult(run.Curve, run.FinalLoss, run.FinalLossSe, layers, run.ContextsPerSecond)
        {
            WallSeconds = run.WallSeconds,
        };
    }

    /// <summary>Stacked γ^ℓ(0) I, layer ℓ at offset ℓD².</summary>
    private static double[] InitialLayers(IReadOnlyList<double>? initialGammas, int depth, int dim)
    {
        var stacked = new double[depth * dim * dim];
        if (initialGammas is null)
        {
            return stacked;
        }

        if (initialGammas.Count != depth)
        {
            throw new ArgumentException($"initial-gammas must hold one value per layer (L = {depth}); got {initialGammas.Count}.", "initial-gammas");
        }

        for (var layer = 0; layer < depth; layer++)
        {
            var gamma = Guard.Finite(initialGammas[layer], "initial-gammas");
            for (var i = 0; i < dim; i++)
            {
                stacked[layer * dim * dim + i * dim + i] = gamma;
            }
        }

        return stacked;
    }

    private static UntiedTrainPoint LogPoint(
        int step, double time, double lr, double loss, double se, ReadOnlySpan<double> gammas, int depth, int dim)
    {
        var gammaBars = new double[depth];
        var anisotropies = new double[depth];
        for (var layer = 0; layer < depth; layer++)
        {
            var gamma = UntiedGammaModel.Layer(gammas, layer, dim);
            gammaBars[layer] = GammaStatistics.GammaBar(gamma, dim);
            anisotropies[layer] = GammaStatistics.Anisotropy(gamma, dim);
        }

        return new UntiedTrainPoint(step, loss, se, gammaBars, anisotropies) { Time = time, LearningRate = lr };
    }
}

/// <summary>One logged point of an untied training curve.</summary>
/// <param name="Step">SGD step s (0 = before training).</param>
/// <param name="Loss">Mean test MSE against noisy labels on fresh contexts.</param>
/// <param name="Se">Standard error of <paramref name="Loss"/> across contexts.</param>
/// <param name="LayerGammaBars">γ̄^ℓ = tr Γ^ℓ / D for ℓ = 0..L−1 (the γ^ℓ of Eq. 117).</param>
/// <param name="LayerAnisotropies">‖Γ^ℓ − γ̄^ℓI‖_F / ‖Γ^ℓ‖_F per layer.</param>
public sealed record UntiedTrainPoint(int Step, double Loss, double Se, IReadOnlyList<double> LayerGammaBars, IReadOnlyList<double> LayerAnisotropies)
{
    /// <summary>Balance spread max_ℓ γ̄^ℓ − min_ℓ γ̄^ℓ (zero for balanced layers, Eq. 118; Figure 8b).</summary>
    public double BalanceSpread => LayerGammaBars.Max() - LayerGammaBars.Min();

    /// <summary>Mean layer scale (1/L) Σ_ℓ γ̄^ℓ, comparable with the recurrent γ̄.</summary>
    public double MeanGammaBar => LayerGammaBars.Average();

    /// <summary>Flow time t = Σ_{s&lt;Step} η₀,s.</summary>
    public double Time { get; init; }

    /// <summary>Base learning rate η₀ used at this step (each layer moves with η₀L).</summary>
    public double LearningRate { get; init; }

    /// <summary>Value equality, with the per-layer lists compared element by element.</summary>
    public bool Equals(UntiedTrainPoint? other) =>
        other is not null
        && (Step, Loss, Se, Time, LearningRate) == (other.Step, other.Loss, other.Se, other.Time, other.LearningRate)
        && LayerGammaBars.SequenceEqual(other.LayerGammaBars)
        && LayerAnisotropies.SequenceEqual(other.LayerAnisotropies);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Step, Loss, Se, Time, LearningRate);
}

/// <summary>The outcome of <see cref="UntiedGammaTrainer.Train"/>.</summary>
/// <param name="Curve">Logged points in step order, including step 0 and the last step.</param>
/// <param name="FinalLoss">Test loss at the last step.</param>
/// <param name="FinalLossSe">Its standard error.</param>
/// <param name="Gammas">The trained layers Γ^0..Γ^{L−1} (each D×D).</param>
/// <param name="ContextsPerSecond">Training throughput: Steps·Batch over the wall time of the SGD steps.</param>
public sealed record UntiedTrainResult(
    IReadOnlyList<UntiedTrainPoint> Curve, double FinalLoss, double FinalLossSe, IReadOnlyList<double[,]> Gammas, double ContextsPerSecond)
{
    /// <summary>Total wall time of the run in seconds, evaluation included.</summary>
    public double WallSeconds { get; init; }
}

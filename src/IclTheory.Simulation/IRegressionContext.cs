namespace IclTheory.Simulation;

/// <summary>
/// One in-context regression context in preallocated buffers (the layout of <see cref="IsoContext"/>):
/// P labelled points X (P×D row-major, row μ is x_μ) with targets y, and K evaluation points X* (K×D
/// row-major) with targets y*. Models and trainers consume contexts only through this interface, so
/// every data setting (ISO, FS, RRS) trains every model.
/// </summary>
public interface IRegressionContext
{
    /// <summary>Input dimension D.</summary>
    int Dim { get; }

    /// <summary>Labelled points per context P.</summary>
    int Points { get; }

    /// <summary>Evaluation points per context K.</summary>
    int EvalPoints { get; }

    /// <summary>Labelled inputs, P×D row-major.</summary>
    double[] X { get; }

    /// <summary>Labelled targets y_μ.</summary>
    double[] Y { get; }

    /// <summary>Evaluation inputs, K×D row-major.</summary>
    double[] XStar { get; }

    /// <summary>Evaluation targets y*_k.</summary>
    double[] YStar { get; }

    /// <summary>Resamples the context from the child stream of cell (purpose, step, index) under <paramref name="seed"/>.</summary>
    void Sample(ulong seed, StreamPurpose purpose, long step, long index);
}
